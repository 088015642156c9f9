// The journeys' driver over the standard WebDriver protocol (selenium-webdriver): WebKit through
// WebKitWebDriver, Firefox through geckodriver.
import { By, until } from 'selenium-webdriver';

const TIMEOUT = 15_000;

export function webdriverDriver(driver) {
  const byTestId = (id) => By.css(`[data-testid="${id}"]`);
  const d = {
    async goto(url) {
      await driver.get(url);
    },
    async fill(label, value) {
      // The input a <label for> names, found by the label's own text (as a payer reads it).
      const l = await driver.wait(until.elementLocated(By.xpath(`//label[normalize-space(.)="${label}"]`)), TIMEOUT);
      const input = await driver.findElement(By.id(await l.getAttribute('for')));
      await driver.wait(until.elementIsEnabled(input), TIMEOUT);
      await input.clear();
      await input.sendKeys(value);
    },
    async click(testId) {
      const el = await driver.wait(until.elementLocated(byTestId(testId)), TIMEOUT);
      await driver.wait(until.elementIsVisible(el), TIMEOUT);
      await driver.wait(until.elementIsEnabled(el), TIMEOUT);
      await el.click();
    },
    async waitVisible(testId) {
      const el = await driver.wait(until.elementLocated(byTestId(testId)), TIMEOUT);
      await driver.wait(until.elementIsVisible(el), TIMEOUT);
    },
    async waitText(testId, text, { contains = false } = {}) {
      await driver.wait(async () => {
        const els = await driver.findElements(byTestId(testId));
        for (const el of els) {
          const t = (await el.getText()).trim();
          if (contains ? t.includes(text) : t === text) return true;
        }
        return false;
      }, TIMEOUT, `[data-testid=${testId}] never read "${text}"`);
    },
    async inFrame(hostSelector, body) {
      // The element's iframe lives in its open shadow root.
      const host = await driver.wait(until.elementLocated(By.css(hostSelector)), TIMEOUT);
      const frame = await driver.wait(async () => {
        const root = await host.getShadowRoot();
        return (await root.findElements(By.css('iframe')))[0];
      }, TIMEOUT);
      await driver.switchTo().frame(frame);
      try {
        await body();
      } finally {
        await driver.switchTo().defaultContent();
      }
    },
  };
  return d;
}

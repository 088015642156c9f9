// The journeys' driver over the standard WebDriver protocol (selenium-webdriver): WebKit through
// WebKitWebDriver, Firefox through geckodriver.
import { By, until } from 'selenium-webdriver';

const TIMEOUT = 15_000;

export function webdriverDriver(driver) {
  const byTestId = (id) => By.css(`[data-testid="${id}"]`);
  // The frame we are in (inFrame), to scroll the page to what we click in it.
  let frameHost = null;
  // WebKitGTK's driver scrolls a frame's element into view within the frame only: a button low in
  // the element's auto-sized frame stays below the window and its click lands nowhere (measured
  // 2026-12-07: the payment went through with a script click, not a native one). Scroll the page
  // first, as a payer would, then click natively.
  async function intoView(el) {
    if (!frameHost) return;
    const { y } = await el.getRect();
    await driver.switchTo().defaultContent();
    await driver.executeScript(
      `const f = document.querySelector(arguments[0]).shadowRoot.querySelector('iframe');
       window.scrollTo(0, f.getBoundingClientRect().top + window.scrollY + arguments[1] - window.innerHeight / 2);`,
      frameHost,
      y,
    );
    const frame = await driver.executeScript(`return document.querySelector(arguments[0]).shadowRoot.querySelector('iframe');`, frameHost);
    await driver.switchTo().frame(frame);
  }
  const d = {
    async goto(url) {
      await driver.get(url);
    },
    async fill(label, value) {
      // The input a <label for> names, found by the label's own text (as a payer reads it).
      const l = await driver.wait(until.elementLocated(By.xpath(`//label[normalize-space(.)="${label}"]`)), TIMEOUT);
      const input = await driver.findElement(By.id(await l.getAttribute('for')));
      await driver.wait(until.elementIsEnabled(input), TIMEOUT);
      // Click first, as a payer does: WebKitGTK's driver refuses to type into an input of a
      // cross-origin frame it has not focused ("Element is not focusable"), measured 2026-12-07.
      await input.click();
      await input.clear();
      await input.sendKeys(value);
    },
    async click(testId) {
      let el = await driver.wait(until.elementLocated(byTestId(testId)), TIMEOUT);
      await driver.wait(until.elementIsVisible(el), TIMEOUT);
      await driver.wait(until.elementIsEnabled(el), TIMEOUT);
      if (frameHost) {
        await intoView(el);
        el = await driver.findElement(byTestId(testId));
      }
      await el.click();
    },
    async waitVisible(testId) {
      const el = await driver.wait(until.elementLocated(byTestId(testId)), TIMEOUT);
      await driver.wait(until.elementIsVisible(el), TIMEOUT);
    },
    async waitText(testId, text, { contains = false } = {}) {
      // WebDriver's element text turns no-break spaces into spaces (its visible-text rule).
      const want = text.replace(/\u00a0/g, ' ');
      await driver.wait(async () => {
        const els = await driver.findElements(byTestId(testId));
        for (const el of els) {
          const t = (await el.getText()).replace(/\u00a0/g, ' ').trim();
          if (contains ? t.includes(want) : t === want) return true;
        }
        return false;
      }, TIMEOUT, `[data-testid=${testId}] never read "${text}"`);
    },
    async inPopup(testId, body) {
      const before = await driver.getAllWindowHandles();
      const opener = await driver.getWindowHandle();
      await d.click(testId);
      const popup = await driver.wait(async () => (await driver.getAllWindowHandles()).find((h) => !before.includes(h)), TIMEOUT);
      await driver.switchTo().window(popup);
      try {
        await body();
        // The popup closes itself once the opener has the outcome.
        await driver.wait(async () => !(await driver.getAllWindowHandles()).includes(popup), TIMEOUT, 'the popup did not close');
      } finally {
        await driver.switchTo().window(opener);
      }
    },
    async inFrame(hostSelector, body) {
      // The element's iframe lives in its open shadow root.
      // Asked of the page's own script: WebKitGTK's driver cannot type into a frame it reached
      // through a shadow root handle ("Element is not focusable").
      await driver.wait(until.elementLocated(By.css(hostSelector)), TIMEOUT);
      const frame = await driver.wait(
        () => driver.executeScript(`const h = document.querySelector(arguments[0]); return h && h.shadowRoot && h.shadowRoot.querySelector('iframe');`, hostSelector),
        TIMEOUT,
      );
      await driver.switchTo().frame(frame);
      frameHost = hostSelector;
      try {
        await body();
      } finally {
        frameHost = null;
        await driver.switchTo().defaultContent();
      }
    },
  };
  return d;
}

// The journeys' driver over a Playwright page (Chromium).
const TIMEOUT = 15_000;

export function playwrightDriver(page) {
  let scope = page;
  return {
    async goto(url) {
      await page.goto(url);
    },
    async fill(label, value) {
      await scope.getByLabel(label, { exact: true }).fill(value);
    },
    async click(testId) {
      await scope.getByTestId(testId).click({ timeout: TIMEOUT });
    },
    async waitVisible(testId) {
      await scope.getByTestId(testId).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    },
    async waitText(testId, text, { contains = false } = {}) {
      const deadline = Date.now() + TIMEOUT;
      for (;;) {
        const texts = (await scope.getByTestId(testId).allInnerTexts()).map((t) => t.trim());
        if (texts.some((t) => (contains ? t.includes(text) : t === text))) return;
        if (Date.now() > deadline) throw new Error(`[data-testid=${testId}] never read "${text}": ${JSON.stringify(texts)}`);
        await page.waitForTimeout(100);
      }
    },
    async inFrame(hostSelector, body) {
      const outer = scope;
      scope = page.frameLocator(`${hostSelector} iframe`);
      try {
        await body();
      } finally {
        scope = outer;
      }
    },
  };
}

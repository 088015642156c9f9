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
        // As WebDriver reads text: no-break spaces as spaces.
        const want = text.replace(/\u00a0/g, ' ');
        // A navigation (the redirect) may replace the page under the read: read again.
        const texts = (await scope.getByTestId(testId).allInnerTexts().catch(() => [])).map((t) => t.replace(/\u00a0/g, ' ').trim());
        if (texts.some((t) => (contains ? t.includes(want) : t === want))) return;
        if (Date.now() > deadline) throw new Error(`[data-testid=${testId}] never read "${text}": ${JSON.stringify(texts)}`);
        await page.waitForTimeout(100);
      }
    },
    async inPopup(testId, body) {
      const outer = scope;
      const [popup] = await Promise.all([page.waitForEvent('popup'), scope.getByTestId(testId).click()]);
      scope = popup;
      try {
        await body();
        await popup.waitForEvent('close', { timeout: TIMEOUT });
      } finally {
        scope = outer;
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

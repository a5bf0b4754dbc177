/**
 * Watches the local inspector page as a person would: every state id the page highlights
 * (body[data-state]), in the order it showed them.
 */
import type { Page } from 'playwright-core';

/** Starts recording; each mutation record holds the value it replaced. */
export async function watchHighlightedStates(page: Page): Promise<() => Promise<(string | null)[]>> {
  await page.evaluate(() => {
    const replaced: (string | null)[] = [];
    (window as unknown as { replaced: typeof replaced }).replaced = replaced;
    new MutationObserver((records) => records.forEach((r) => replaced.push(r.oldValue))).observe(document.body, {
      attributes: true,
      attributeFilter: ['data-state'],
      attributeOldValue: true,
    });
  });
  /** The values shown so far, the current one last, repeats removed. */
  return async () => {
    const values = await page.evaluate(() => [
      ...(window as unknown as { replaced: (string | null)[] }).replaced,
      document.body.dataset.state ?? null,
    ]);
    return values.filter((value, i) => value !== values[i - 1]);
  };
}

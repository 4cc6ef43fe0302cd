// The seat-selection widget in a real browser: two buyers on one performance.
//
// usage: node widget.mjs <base_url> <performance_id> <widget_key> <screenshot_dir>
//
// Buyer 1 picks two adjacent free seats (chosen so the performance's rules accept them) and
// holds them; buyer 2 must see them turn held within a second of buyer 1's answer. Buyer 1
// reloads and must find the hold resumed, then releases; buyer 2 must see the seats free
// again. Along the way: a refused hold shows the server's words, Space picks a focused seat,
// and neither page asks for anything outside the server. Chromium is Debian's
// (/usr/bin/chromium, or $CHROMIUM), driven by playwright-core: no browser download.
// Exit code 0 when every check passes; otherwise the failed check is printed and it is 1.

import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

const [base, performance, key, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node widget.mjs <base_url> <performance_id> <widget_key> <screenshot_dir>");
  process.exit(2);
}
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const origin = new URL(base).origin;
const pageUrl = `${base}/performances/${encodeURIComponent(performance)}/widget?key=${encodeURIComponent(key)}`;

class Failure extends Error {}
function check(condition, message) {
  if (!condition) throw new Failure(message);
}
function step(text) {
  console.log(`- ${text}`);
}

async function getJson(url) {
  const response = await fetch(url);
  check(response.ok, `GET ${url} answered ${response.status}`);
  return response.json();
}

// Opens the widget for a new buyer (a fresh browser context: its own storage) and waits for
// the stream's snapshot. Uncaught page errors, refusals by the Content Security Policy and
// requests leaving the server are recorded.
async function openBuyer(browser, name, problems) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`${name}: page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) problems.push(`${name}: ${message.text()}`);
  });
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin + "/") && !url.startsWith("data:")) problems.push(`${name}: external request ${url}`);
  });
  await page.goto(pageUrl);
  await page.waitForSelector("body[data-stream=open]", { timeout: 15000 });
  return page;
}

const seat = (id) => `[data-seat="${id.replace(/["\\]/g, "\\$&")}"]`;
const attribute = (page, id, name) => page.getAttribute(seat(id), name);

// Waits until every seat in `ids` has `status` (and, when given, data-mine); returns the ms.
async function waitForSeats(page, ids, status, mine, timeout) {
  const started = Date.now();
  await page.waitForFunction(([ids, status, mine]) => ids.every((id) => {
    const element = document.querySelector(`[data-seat="${CSS.escape(id)}"]`);
    return element && element.dataset.status === status && (mine === null || element.dataset.mine === String(mine));
  }), [ids, status, mine], { timeout, polling: 20 });
  return Date.now() - started;
}

// Two adjacent free seats in one block that the rules accept: no free seat is left alone
// beside them when single-seat gaps are forbidden. Front rows first, then nearest the row's centre.
// Answers [first, second, lonely]: `lonely` is a free seat whose hold alone would strand the
// seat between it and the pair (for the refusal check), or null.
async function choosePair(page, details, map) {
  const statuses = await page.$$eval("[data-seat]", (elements) =>
    Object.fromEntries(elements.map((e) => [e.dataset.seat, e.dataset.status])));
  const byPlace = new Map(map.seats.map((s) => [`${s.section}|${s.row}|${s.number}`, s]));
  const free = (s) => s && statuses[s.id] === "free";
  const candidates = [];
  details.sections.forEach((section) => section.rows.forEach((row) => row.blocks.forEach((block, _, blocks) => {
    const centre = (blocks[0].from + blocks[blocks.length - 1].to) / 2;
    const at = (n) => (n >= block.from && n <= block.to ? byPlace.get(`${section.name}|${row.row}|${n}`) : undefined);
    const freeRun = (n, direction) => { let count = 0; while (free(at(n))) { count += 1; n += direction; } return count; };
    for (let n = block.from; n < block.to; n += 1) {
      const [a, b] = [at(n), at(n + 1)];
      if (!free(a) || !free(b)) continue;
      const runs = [freeRun(n - 1, -1), freeRun(n + 2, 1)];
      if (details.rules.no_single_seat_gaps && runs.includes(1)) continue;
      const lonely = free(at(n + 2)) && free(at(n + 3)) ? at(n + 3) : null;
      candidates.push({ pair: [a.id, b.id, lonely && lonely.id], rank: [a.y ?? 0, Math.abs(n + 0.5 - centre)] });
    }
  })));
  candidates.sort((p, q) => p.rank[0] - q.rank[0] || p.rank[1] - q.rank[1]);
  check(candidates.length, "no two adjacent free seats the rules would accept");
  return candidates[0].pair;
}

async function run(browser) {
  await mkdir(shots, { recursive: true });
  const performanceUrl = `${base}/performances/${encodeURIComponent(performance)}`;
  const details = await getJson(performanceUrl);
  const map = await getJson(`${performanceUrl}/seats`);
  const problems = [];
  const buyer = await openBuyer(browser, "buyer 1", problems);
  const other = await openBuyer(browser, "buyer 2", problems);
  step(`both buyers see ${map.seats.length} seats (version ${await buyer.getAttribute("body", "data-version")})`);

  const [first, second, lonely] = await choosePair(buyer, details, map);
  for (const id of [first, second]) await buyer.click(seat(id));
  check(await attribute(buyer, first, "aria-checked") === "true", `${first} is not checked after a click`);
  await buyer.screenshot({ path: path.join(shots, "widget-before.png") });
  step(`buyer 1 picked ${first} and ${second}`);

  const [response] = await Promise.all([
    buyer.waitForResponse((r) => r.url().endsWith("/transactions") && r.request().method() === "POST"),
    buyer.click("#hold"),
  ]);
  const answeredAt = Date.now();
  check(response.status() === 201, `the hold answered ${response.status()}: ${await response.text()}`);
  const seen = await waitForSeats(other, [first, second], "held", false, 3000).catch(() => null);
  const lag = seen === null ? null : Date.now() - answeredAt;
  check(lag !== null && lag <= 1000, `buyer 2 saw the seats held after ${lag ?? "more than 3000"} ms (limit 1000)`);
  step(`buyer 2 saw them held ${lag} ms after buyer 1's answer`);
  await buyer.waitForSelector("#countdown", { state: "visible" });
  await waitForSeats(buyer, [first, second], "held", true, 3000);
  const countdown = await buyer.textContent("#countdown");
  check(/^\d\d:\d\d$/.test(countdown) && countdown !== "00:00", `the countdown reads "${countdown}"`);
  check(await attribute(other, first, "aria-disabled") === "true", "buyer 2 may still pick a held seat");
  await buyer.screenshot({ path: path.join(shots, "widget-held.png") });
  await other.screenshot({ path: path.join(shots, "widget-other-buyer.png") });
  step(`buyer 1's countdown reads ${countdown}`);

  if (lonely && details.rules.no_single_seat_gaps) {
    await other.click(seat(lonely));
    const [refusal] = await Promise.all([
      other.waitForResponse((r) => r.url().endsWith("/transactions") && r.request().method() === "POST"),
      other.click("#hold"),
    ]);
    check(refusal.status() === 422, `a hold stranding one seat answered ${refusal.status()}`);
    const words = (await refusal.json()).errors.join(" ");
    await other.waitForFunction((words) => document.getElementById("message").textContent.includes(words), words);
    await other.click(seat(lonely));
    step(`buyer 2's refused hold shows: "${words}"`);
  }

  await buyer.reload();
  await buyer.waitForSelector("body[data-stream=open]", { timeout: 15000 });
  await waitForSeats(buyer, [first, second], "held", true, 5000);
  await buyer.waitForSelector("#countdown", { state: "visible", timeout: 5000 });
  step(`after a reload buyer 1 still holds them (${await buyer.textContent("#countdown")} left)`);

  const [released] = await Promise.all([
    buyer.waitForResponse((r) => r.url().includes("/transactions/") && r.request().method() === "DELETE"),
    buyer.click("#release"),
  ]);
  check(released.status() === 200, `the release answered ${released.status()}`);
  await waitForSeats(other, [first, second], "free", false, 2000);
  await waitForSeats(buyer, [first, second], "free", false, 2000);
  check(!(await buyer.isVisible("#countdown")), "the countdown is still shown after the release");
  const stored = await buyer.evaluate(() => localStorage.length);
  check(stored === 0, `buyer 1 still remembers ${stored} transaction(s) after the release`);
  step("after the release both buyers see the seats free");

  await other.focus(seat(first));
  await other.keyboard.press("Space");
  check(await attribute(other, first, "aria-checked") === "true", "Space did not pick the focused seat");
  await other.keyboard.press("ArrowRight");
  const focused = await other.evaluate(() => document.activeElement.dataset.seat);
  check(focused === second, `ArrowRight moved focus to ${focused}, not ${second}`);
  await other.keyboard.press("Space");
  check(await attribute(other, second, "aria-checked") === "true", "Space did not pick the second seat");
  step("Space picks the focused seat and ArrowRight moves to its neighbour");

  check(problems.length === 0, problems.join("; "));
  step("no page errors and no requests outside the server");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ARGS,
});
let code = 0;
try {
  await run(browser);
  console.log(`passed; screenshots in ${shots}`);
} catch (error) {
  console.error(`FAILED: ${error instanceof Failure ? error.message : error.stack}`);
  code = 1;
} finally {
  await browser.close();
}
process.exit(code);

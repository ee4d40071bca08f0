// The page in headless Chromium, as a writer uses it. Started by main.rs next to it, which
// runs the server; this script only drives the browser and checks what it sees and saves.
//   MI_BASE, MI_MAIL_DIR, MI_ARTICLE, MI_BOOTSTRAP_KEY, MI_SCRATCH, MI_SCREENSHOTS
//   WRITE_SCREENSHOTS=1 writes the README's screenshots to MI_SCREENSHOTS.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const base = process.env.MI_BASE;
const mailDir = process.env.MI_MAIL_DIR;
const articlePath = process.env.MI_ARTICLE;
const bootstrapKey = process.env.MI_BOOTSTRAP_KEY;
const scratch = process.env.MI_SCRATCH;
const shots = process.env.MI_SCREENSHOTS;
const writeShots = process.env.WRITE_SCREENSHOTS === "1";

const STEP = 30_000; // the longest any one step may take
const email = `writer-${Date.now()}@example.org`;
const password = "correct horse battery staple";

const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function step(text) {
  console.log(`page test: ${text}`);
}

/** The verification link of the newest mail to `to` in the mail folder. */
function mailedLink(to, kind) {
  const deadline = Date.now() + STEP;
  while (Date.now() < deadline) {
    const mails = fs.existsSync(mailDir) ? fs.readdirSync(mailDir) : [];
    for (const name of mails.filter((n) => n.endsWith(".eml"))) {
      const text = fs.readFileSync(path.join(mailDir, name), "utf8");
      if (!text.includes(to)) continue;
      const link = text.match(new RegExp(`https?://\\S+/${kind}\\?token=[A-Za-z0-9_-]+`));
      if (link) return link[0];
    }
    execFileSync("sleep", ["0.2"]);
  }
  throw new Error(`no ${kind} mail to ${to} in ${mailDir}`);
}

async function apiAsBootstrap(method, route, body) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${bootstrapKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${route}: ${response.status}`);
  return response.json();
}

/** A screenshot at one size, scrolled to `at` (a selector) or to the top. */
async function screenshot(page, name, width, height, at) {
  if (!writeShots) return;
  await page.setViewportSize({ width, height });
  await page.evaluate((selector) => {
    const target = selector && document.querySelector(selector);
    if (target) target.scrollIntoView({ block: "start" });
    else window.scrollTo(0, 0);
  }, at ?? null);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });
}

async function setLanguage(page, lang) {
  await page.selectOption("#lang", lang);
}

async function main() {
  const profile = fs.mkdtempSync(path.join(scratch, "chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    acceptDownloads: true,
    locale: "en-US",
    viewport: { width: 1280, height: 900 },
  });
  const timer = setTimeout(() => {
    console.error("page test: out of time");
    process.exit(2);
  }, 200_000);
  try {
    await walk(context);
  } finally {
    clearTimeout(timer);
    await context.close();
  }
}

async function walk(context) {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP);
  const policyViolations = [];
  page.on("console", (message) => {
    if (message.type() === "error") policyViolations.push(message.text());
  });

  step("the page answers with its policy");
  const first = await page.goto(base);
  const headers = first.headers();
  assert.match(headers["content-security-policy"], /script-src 'self'/);
  assert.match(headers["content-type"], /text\/html/);
  await page.locator("#view-auth").waitFor();
  if (writeShots) await screenshot(page, "signin-desktop-en", 1280, 800);

  step("sign up");
  await page.getByRole("button", { name: "Create an account", exact: true }).click();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign up", exact: true }).click();
  await page.locator("#notice", { hasText: "We mailed a link" }).waitFor();

  step("a sign-in before the address is confirmed is refused plainly");
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.locator("#auth-submit").click();
  await page.locator("#problem", { hasText: "Confirm your address first" }).waitFor();

  step("follow the mailed link");
  const link = mailedLink(email, "verify");
  assert.ok(link.startsWith(base), link);
  await page.goto(link);
  await page.locator("#verify-heading", { hasText: "Your address is confirmed" }).waitFor();

  step("sign in");
  await page.goto(base);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.locator("#auth-submit").click();
  await page.locator("#view-write").waitFor();
  await page.locator("#who", { hasText: email }).waitFor();
  await page.locator("#usage-body", { hasText: /Usage is not available|Remaining today/ })
    .waitFor();

  step("an empty submission is explained");
  await page.getByRole("button", { name: "Illustrate", exact: true }).click();
  await page.locator("#problem", { hasText: "Paste an article" }).waitFor();

  step("upload a corpus article and submit it with two candidates");
  await page.getByLabel("Or upload a .md file", { exact: true }).setInputFiles(articlePath);
  await page.locator("#notice", { hasText: `Loaded ${path.basename(articlePath)}` }).waitFor();
  const original = fs.readFileSync(articlePath, "utf8");
  assert.equal(await page.getByLabel("Markdown article", { exact: true }).inputValue(), original);
  await page.getByLabel("Picture source", { exact: true }).selectOption("auto");
  await page.getByLabel("Candidates per picture", { exact: true }).selectOption("2");
  await page.getByRole("button", { name: "Illustrate", exact: true }).click();

  step("live progress reaches the end");
  await page.locator("#conn[data-state='open']").waitFor();
  await page.locator("#doc-status[data-status='completed']").waitFor({ timeout: 90_000 });
  const bar = await page.locator("#progress").evaluate((p) => [p.value, p.max]);
  assert.equal(bar[0], bar[1], `progress ${bar}`);
  const progressText = await page.locator("#progress-text").innerText();
  assert.match(progressText, /(\d+) of \1 candidates drawn/);
  await page.locator("#preview img").first().waitFor();


  step("every picture shows its candidates side by side");
  const pictures = page.locator("#pictures > li");
  const count = await pictures.count();
  assert.ok(count > 0, "no pictures planned");
  const pair = page.locator("#pictures > li").filter({
    has: page.locator(".candidate:nth-child(2)"),
  }).first();
  await pair.waitFor();
  assert.equal(await pair.locator(".candidate").count(), 2);
  const brokenImages = await page.locator(".candidate img").evaluateAll((imgs) =>
    imgs.filter((i) => i.complete && i.naturalWidth === 0).length);
  assert.equal(brokenImages, 0, "a candidate picture did not load");
  const diagrams = await page.locator(".candidate figcaption", { hasText: "mermaid" }).count();
  assert.ok(diagrams > 0, "no Mermaid diagram among the pictures");
  const drawn = await page.locator("#preview img").evaluateAll((imgs) =>
    imgs.filter((i) => i.complete && i.naturalWidth > 0).length);
  assert.ok(drawn > 0, "the preview shows no drawn picture");
  if (writeShots) {
    await screenshot(page, "write-desktop-en", 1280, 900);
    await screenshot(page, "write-phone-en", 390, 844, "#doc");
    await setLanguage(page, "zh");
    await page.locator("#doc-status", { hasText: "已完成" }).waitFor();
    await screenshot(page, "write-phone-zh", 390, 844, "#doc");
    await screenshot(page, "write-desktop-zh", 1280, 900);
    await setLanguage(page, "en");
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  step("choose the candidate the article does not show yet");
  const index = Number(await pair.getAttribute("data-picture"));
  const other = pair.locator(".candidate:not(.chosen)").first();
  const number = Number(await other.getAttribute("data-candidate")) + 1;
  const chosenUrl = await other.locator("img").getAttribute("src");
  await other.getByRole("button", { name: "Use this one", exact: true }).click();
  const said = `Picture ${index + 1} now uses candidate ${number}`;
  await page.locator("#notice", { hasText: said }).waitFor();
  await pair.locator(".candidate.chosen img").and(page.locator(`img[src="${chosenUrl}"]`))
    .waitFor();
  await page.locator(`#preview img[src="${chosenUrl}"]`).waitFor();

  step("download the illustrated article");
  const [mdDownload] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download article (.md)", exact: true }).click(),
  ]);
  const mdPath = path.join(scratch, "article.md");
  await mdDownload.saveAs(mdPath);
  const markdown = fs.readFileSync(mdPath, "utf8");
  // Each picture is written as ![alt](url "title").
  const links = [...markdown.matchAll(/\]\((http\S+\/v1\/images\/[^)\s]+)[\s)]/g)];
  assert.ok(links.some((l) => l[1] === chosenUrl), "the chosen candidate is not in the .md");
  assert.equal(links.length, count, "one picture per placement in the .md");
  const withoutPictures = markdown.split(/\r?\n/).filter((l) => !l.includes("/v1/images/"));
  for (const line of original.split(/\r?\n/).slice(0, 20)) {
    assert.ok(withoutPictures.includes(line), `the article lost a line: ${line}`);
  }

  step("download the zip and check its links");
  const [zipDownload] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download article and images (.zip)", exact: true }).click(),
  ]);
  const zipPath = path.join(scratch, "article.zip");
  await zipDownload.saveAs(zipPath);
  const unzipped = path.join(scratch, "unzipped");
  execFileSync("python3", ["-m", "zipfile", "-e", zipPath, unzipped]);
  const zipped = fs.readFileSync(path.join(unzipped, "article.md"), "utf8");
  const files = [...zipped.matchAll(/\]\((images\/[^)\s]+)[\s)]/g)].map((m) => m[1]);
  assert.equal(files.length, count, "one picture file per placement in the zip");
  assert.ok(!zipped.includes("/v1/images/"), "the zipped article links to the server");
  for (const file of files) assert.ok(fs.existsSync(path.join(unzipped, file)), file);
  const chosenBytes = await page.evaluate(async (url) => {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    return Array.from(bytes);
  }, chosenUrl);
  const digest = (b) => createHash("sha256").update(b).digest("hex");
  const chosenDigest = digest(Buffer.from(chosenBytes));
  const zippedDigests = files.map((f) => digest(fs.readFileSync(path.join(unzipped, f))));
  assert.ok(zippedDigests.includes(chosenDigest), "the chosen picture is not in the zip");

  step("draw one picture again and see it finish");
  await page.locator("#pictures > li").first()
    .getByRole("button", { name: "Draw again", exact: true }).click();
  await page.locator("#notice", { hasText: "Drawing again" }).waitFor();
  await page.locator("#notice", { hasText: "Every picture has an outcome" }).waitFor();
  await page.locator("#doc-status[data-status='completed']").waitFor();

  step("a server restart drops the live stream; the page shows it and resumes");
  fs.writeFileSync(path.join(scratch, "restart"), "");
  await page.locator("#conn:not([data-state='open'])").waitFor();
  const restarted = path.join(scratch, "restarted");
  for (let n = 0; n < 600 && !fs.existsSync(restarted); n += 1) {
    await page.waitForTimeout(100);
  }
  assert.ok(fs.existsSync(restarted), "the server did not come back");
  await page.locator("#conn[data-state='open']").waitFor();
  await page.locator("#pictures > li").first()
    .getByRole("button", { name: "Draw again", exact: true }).click();
  await page.locator("#notice", { hasText: "Drawing again" }).waitFor();
  await page.locator("#notice", { hasText: "Every picture has an outcome" }).waitFor();

  step("a reload keeps the document on the page");
  await page.reload();
  await page.locator("#doc-status[data-status='completed']").waitFor();
  assert.equal(await page.locator("#pictures > li").count(), count);

  step("an article over the size limit is refused with the limit");
  await page.getByLabel("Markdown article", { exact: true }).fill("# Big\n\n" +
    "word ".repeat(20_000));
  await page.getByRole("button", { name: "Illustrate", exact: true }).click();
  await page.locator("#problem", { hasText: "The article is too large" }).waitFor();

  step("raw HTML in an article is shown as text in the preview, never run");
  const hostile = "# Small\n\nSome <b>bold</b> and <img src=x onerror=\"window.pwned=1\">.\n\n" +
    "<script>window.pwned = 2;</script>\n\n[a link](javascript:window.pwned=3)\n";
  await page.getByLabel("Markdown article", { exact: true }).fill(hostile);
  await page.getByRole("button", { name: "Illustrate", exact: true }).click();
  await page.locator("#doc-name", { hasText: "Small" }).waitFor();
  await page.locator("#doc-status[data-status='completed']").waitFor();
  await page.locator("#preview", { hasText: "<script>window.pwned = 2;</script>" }).waitFor();
  await page.locator("#preview a", { hasText: "a link" }).click();
  assert.equal(await page.locator("#preview script").count(), 0);
  assert.equal(await page.locator("#preview img[src='x']").count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined, "article code ran");

  step("too many submissions are refused with the time to try again");
  await page.getByRole("button", { name: "Illustrate", exact: true }).click();
  await page.locator("#problem", { hasText: "Too many requests. Try again after" }).waitFor();

  step("an admin sees the users and the billing export");
  const me = await page.evaluate(async () => (await fetch("/v1/me")).json());
  await apiAsBootstrap("PATCH", `/v1/admin/users/${me.id}`, { role: "admin" });
  await page.waitForTimeout(2500);
  await page.goto(`${base}/admin`);
  await page.locator("#view-admin").waitFor();
  await page.locator("#users tbody th", { hasText: email }).waitFor();
  await page.getByLabel("Search by email", { exact: true }).fill("nobody-matches-this");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.locator("#users tbody", { hasText: "No account matches" }).waitFor();
  await page.getByLabel("Search by email", { exact: true }).fill("");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.locator("#users tbody th", { hasText: email }).waitFor();
  // Until billing serves the export the page says so; once it does, the CSV downloads.
  const exported = await Promise.race([
    page.waitForEvent("download").then(() => "downloaded"),
    page.locator("#problem", { hasText: "billing export is not available" }).waitFor()
      .then(() => "unavailable"),
    page.getByRole("button", { name: "Download CSV", exact: true }).click()
      .then(() => new Promise(() => {})),
  ]);
  step(`billing export: ${exported}`);
  if (writeShots) await screenshot(page, "admin-desktop-en", 1280, 800);

  step("keyboard: the skip link leads to the main content");
  await page.goto(base);
  await page.locator("#view-write").waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.className), "skip");

  step("a subscriber sees the period and stops its renewal");
  await apiAsBootstrap("PATCH", `/v1/admin/users/${me.id}`, { plan: "pro" });
  await page.goto(base);
  await page.locator("#usage-body", { hasText: "Renews on" }).waitFor();
  await page.getByRole("button", { name: "Stop renewal", exact: true }).click();
  await page.locator("#notice", { hasText: "does not renew" }).waitFor();
  await page.locator("#usage-body", { hasText: "Ends on" }).waitFor();

  step("sign out");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.locator("#view-auth").waitFor();
  const after = await page.evaluate(async () => (await fetch("/v1/me")).status);
  assert.equal(after, 401);

  const blocked = policyViolations.filter((m) => m.includes("Content Security Policy"));
  assert.deepEqual(blocked, [], "the page broke its own policy");
  step("passed");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

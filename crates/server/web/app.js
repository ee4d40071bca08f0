// The page's entry: which view to show, the account forms, the usage panel.

import { apply, lang, setLang, t } from "./i18n.js";
import { call, explain } from "./api.js";
import { startWriting } from "./document.js";
import { startAdmin } from "./admin.js";

const $ = (id) => document.getElementById(id);
const views = ["auth", "verify", "reset", "write", "admin"];
let me = null;
let authMode = "signin";
let shownOnce = false;

// The message shown, as a function of the language, so that a switch rewords it.
let message = null;

function showMessage() {
  const text = message ? message.words() : "";
  $("notice").textContent = message?.kind === "notice" ? text : "";
  $("problem").textContent = message?.kind === "problem" ? text : "";
}

/** Tells the reader something went well; `words` gives the text in the current language. */
export function notify(words) {
  message = { kind: "notice", words: typeof words === "function" ? words : () => words };
  showMessage();
}

/** Tells the reader what went wrong and what to do. */
export function complain(words) {
  message = { kind: "problem", words: typeof words === "function" ? words : () => words };
  showMessage();
}

/** Shows one view. After the first, focus moves to it, so a keyboard or screen-reader user
 *  lands on what changed; on load, focus stays at the top, where the skip link is. */
function show(view) {
  for (const name of views) $(`view-${name}`).hidden = name !== view;
  if (shownOnce) $("main").focus({ preventScroll: true });
  shownOnce = true;
}

async function loadMe() {
  try {
    me = await call("GET", "/v1/me");
  } catch {
    me = null;
  }
  $("who").hidden = !me;
  $("signout").hidden = !me;
  $("nav-write").hidden = !me;
  $("nav-admin").hidden = !me || me.role === "user";
  if (me) $("who").textContent = me.email;
}

async function route() {
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  if (path === "/verify") return verify(query.get("token") || "");
  if (path === "/reset-password") return show("reset");

  await loadMe();
  if (query.get("login_error")) complain(() => t("auth.oauth_failed"));
  if (!me) {
    await showProviders();
    return show("auth");
  }
  if (path === "/admin" && me.role !== "user") {
    show("admin");
    return startAdmin(me);
  }
  show("write");
  startWriting(query.get("doc"));
  loadUsage();
}

async function verify(token) {
  show("verify");
  const heading = $("verify-heading");
  try {
    await call("POST", "/v1/auth/verify", { token });
    heading.dataset.i18n = "auth.verified";
    heading.textContent = t("auth.verified");
    notify(() => t("auth.verified"));
  } catch (failure) {
    complain(() => explain(failure));
  }
}

async function showProviders() {
  try {
    const { providers } = await call("GET", "/v1/auth/providers");
    $("oauth").hidden = providers.length === 0;
    $("oauth-github").hidden = !providers.includes("github");
    $("oauth-google").hidden = !providers.includes("google");
  } catch {
    $("oauth").hidden = true;
  }
}

function setAuthMode(mode) {
  authMode = mode;
  for (const button of document.querySelectorAll("[data-mode]")) {
    button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
  }
  const heading = { signin: "auth.signin", signup: "auth.signup", forgot: "auth.forgot" }[mode];
  $("auth-heading").dataset.i18n = heading;
  $("auth-heading").textContent = t(heading);
  $("auth-password-field").hidden = mode === "forgot";
  $("auth-password").autocomplete = mode === "signup" ? "new-password" : "current-password";
  $("auth-password-hint").hidden = mode !== "signup";
  const submit = `auth.${mode}.submit`;
  $("auth-submit").dataset.i18n = submit;
  $("auth-submit").textContent = t(submit);
}

async function submitAuth(event) {
  event.preventDefault();
  const email = $("auth-email").value.trim();
  const password = $("auth-password").value;
  try {
    if (authMode === "signup") {
      await call("POST", "/v1/auth/register", { email, password });
      notify(() => t("auth.signedup", { email }));
      setAuthMode("signin");
    } else if (authMode === "forgot") {
      await call("POST", "/v1/auth/password-reset", { email });
      notify(() => t("auth.forgot.sent", { email }));
    } else {
      await call("POST", "/v1/auth/login", { email, password });
      $("auth-password").value = "";
      await route();
      notify(() => t("auth.signedin", { email }));
    }
  } catch (failure) {
    complain(() => explain(failure));
  }
}

async function submitReset(event) {
  event.preventDefault();
  const token = new URLSearchParams(location.search).get("token") || "";
  const password = $("reset-password").value;
  try {
    await call("POST", "/v1/auth/password-reset/confirm", { token, password });
    history.replaceState(null, "", "/");
    await route();
    notify(() => t("auth.reset.done"));
  } catch (failure) {
    complain(() => explain(failure));
  }
}

async function signOut() {
  try {
    await call("POST", "/v1/auth/logout");
  } catch {
    // The session may be gone already; the page signs out either way.
  }
  history.replaceState(null, "", "/");
  await route();
  notify(() => t("auth.signedout"));
}

/** The usage panel, against GET /v1/me/usage; a server without it says so plainly. */
export async function loadUsage() {
  const body = $("usage-body");
  let usage;
  try {
    usage = await call("GET", "/v1/me/usage");
  } catch (failure) {
    const text = failure.status === 404 ? t("usage.unavailable") : explain(failure);
    body.replaceChildren(paragraph(text, "muted"));
    return;
  }
  const { plan, day, month } = usage;
  const limit = day.limit ?? t("usage.unlimited");
  const remaining = day.remaining ?? t("usage.unlimited");
  const resets = new Date(day.resets_at).toLocaleString(lang() === "zh" ? "zh-CN" : "en");
  const list = document.createElement("dl");
  list.className = "facts";
  const rows = [
    ["usage.plan", plan.name],
    ["usage.remaining", String(remaining)],
    ["usage.today", t("usage.used", { used: day.used, reserved: day.reserved, limit })],
    ["usage.month", t("usage.pictures", { n: month.pictures, amount: month.amount_fen })],
  ];
  for (const [key, value] of rows) {
    const term = document.createElement("dt");
    term.textContent = t(key);
    const detail = document.createElement("dd");
    detail.textContent = value;
    list.append(term, detail);
  }
  const meter = document.createElement("meter");
  meter.min = 0;
  meter.max = day.limit ?? 1;
  meter.value = day.limit ? day.used + day.reserved : 0;
  meter.setAttribute("aria-label", t("usage.today"));
  body.replaceChildren(list, meter, paragraph(t("usage.resets", { time: resets }), "muted"));
  await showSubscription(list);
}

/** A paid plan's period under the usage facts, with a way to stop its renewal. */
async function showSubscription(list) {
  let sub;
  try {
    sub = await call("GET", "/v1/me/subscription");
  } catch {
    // A server without subscriptions shows the usage alone.
    return;
  }
  if (!sub.subscribed) return;

  const when = new Date(sub.period_end).toLocaleDateString(lang() === "zh" ? "zh-CN" : "en");
  const yuan = (sub.monthly_price_fen / 100).toFixed(2);
  const term = document.createElement("dt");
  term.textContent = t("usage.subscription");
  const detail = document.createElement("dd");
  detail.textContent = sub.renews
    ? t("usage.renews", { date: when, price: yuan })
    : t("usage.ends", { date: when });
  list.append(term, detail);
  if (!sub.renews) return;

  const stop = document.createElement("button");
  stop.type = "button";
  stop.className = "quiet";
  stop.textContent = t("usage.cancel");
  stop.addEventListener("click", async () => {
    try {
      await call("DELETE", "/v1/me/subscription");
      notify(() => t("usage.cancelled", { date: when }));
      await loadUsage();
    } catch (failure) {
      complain(() => explain(failure));
    }
  });
  detail.append(" ", stop);
}

function paragraph(text, className) {
  const p = document.createElement("p");
  p.textContent = text;
  p.className = className;
  return p;
}

function wire() {
  $("lang").value = lang();
  $("lang").addEventListener("change", (e) => setLang(e.target.value));
  for (const button of document.querySelectorAll("[data-mode]")) {
    button.addEventListener("click", () => setAuthMode(button.dataset.mode));
  }
  $("auth-form").addEventListener("submit", submitAuth);
  $("reset-form").addEventListener("submit", submitReset);
  $("signout").addEventListener("click", signOut);
  document.addEventListener("mi:lang", () => {
    showMessage();
    if (!$("view-write").hidden) loadUsage();
  });
}

wire();
apply(document);
setAuthMode("signin");
route();

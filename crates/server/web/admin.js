// The admin pages: accounts (search, role, disable) and the monthly billing export.

import { t } from "./i18n.js";
import { call, download, explain } from "./api.js";
import { complain, notify } from "./app.js";

const $ = (id) => document.getElementById(id);
const ROLES = ["user", "admin", "superadmin"];
let wired = false;
let me = null;

export function startAdmin(account) {
  me = account;
  if (!wired) {
    wired = true;
    $("user-search").addEventListener("submit", (e) => {
      e.preventDefault();
      loadUsers();
    });
    $("billing").addEventListener("submit", exportBilling);
    document.addEventListener("mi:lang", () => !$("view-admin").hidden && loadUsers());
    const now = new Date();
    $("month").value = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
  }
  loadUsers();
}

async function loadUsers() {
  const q = encodeURIComponent($("user-q").value.trim());
  const body = $("users").tBodies[0];
  try {
    const users = await call("GET", `/v1/admin/users?q=${q}&limit=100`);
    if (users.length === 0) {
      const row = body.insertRow();
      const cell = row.insertCell();
      cell.colSpan = 4;
      cell.textContent = t("admin.none");
      body.replaceChildren(row);
      return;
    }
    body.replaceChildren(...users.map(userRow));
  } catch (failure) {
    complain(() => explain(failure));
  }
}

/** Only a superadmin changes roles; nobody changes their own account here (the API
 *  refuses these too; the page does not offer them). */
function userRow(user) {
  const row = document.createElement("tr");
  const email = document.createElement("th");
  email.scope = "row";
  email.textContent = user.email;

  const role = document.createElement("td");
  const select = document.createElement("select");
  select.setAttribute("aria-label", t("admin.role.for", { email: user.email }));
  for (const name of ROLES) select.add(new Option(name, name, false, name === user.role));
  select.disabled = me.role !== "superadmin" || user.id === me.id;
  select.addEventListener("change", () => change(user, { role: select.value }));
  role.append(select);

  const state = document.createElement("td");
  const verified = user.verified ? t("admin.verified") : t("admin.unverified");
  const active = user.disabled ? t("admin.disabled") : t("admin.active");
  state.textContent = `${active} · ${verified}`;

  const actions = document.createElement("td");
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.textContent = user.disabled ? t("admin.enable") : t("admin.disable");
  // An admin acts only on plain users; a superadmin on anyone but themselves.
  const outranked = me.role !== "superadmin" && user.role !== "user";
  toggle.disabled = user.id === me.id || outranked;
  toggle.addEventListener("click", () => change(user, { disabled: !user.disabled }));
  actions.append(toggle);

  row.append(email, role, state, actions);
  return row;
}

async function change(user, body) {
  try {
    await call("PATCH", `/v1/admin/users/${user.id}`, body);
    notify(() => t("admin.changed", { email: user.email }));
  } catch (failure) {
    complain(() => explain(failure));
  }
  await loadUsers();
}

async function exportBilling(event) {
  event.preventDefault();
  const month = $("month").value;
  try {
    await download(`/v1/admin/billing/export?month=${month}`, `billing-${month}.csv`);
  } catch (failure) {
    complain(() =>
      failure.status === 404 ? t("admin.export.unavailable") : explain(failure));
  }
}

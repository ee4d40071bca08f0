// Calls to the API with the session cookie, and the reader's words for each failure.

import { t } from "./i18n.js";

/** An answer the API refused, with what the reader should be told. */
export class ApiFailure extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** Sends a request; resolves with the parsed answer or rejects with an ApiFailure. */
export async function call(method, path, body, { raw = false, contentType } = {}) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = contentType || "application/json";
    init.body = contentType ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiFailure(0, "network", t("err.network"), null);
  }
  if (!response.ok) {
    let code = "error";
    let message = response.statusText;
    try {
      const answer = await response.json();
      code = answer.error?.code ?? code;
      message = answer.error?.message ?? message;
    } catch {
      // Not the API's JSON (a proxy's page): keep the status text.
    }
    const retry = Number(response.headers.get("retry-after"));
    throw new ApiFailure(response.status, code, message, Number.isFinite(retry) ? retry : null);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

/** What to tell the reader about a failure, in their language. */
export function explain(failure) {
  if (!(failure instanceof ApiFailure)) return t("err.500");
  const { status, code, message } = failure;
  if (status === 0) return t("err.network");
  if (["email_unverified", "disabled", "invalid_credentials"].includes(code)) {
    return t(`err.${code}`);
  }
  if (status === 429) {
    const at = new Date(Date.now() + (failure.retryAfter ?? 60) * 1000);
    const time = at.toLocaleTimeString();
    return code.includes("quota") ? t("err.429.quota", { time }) : t("err.429", { time });
  }
  if ([400, 409, 413, 422].includes(status)) return t(`err.${status}`, { message });
  if ([401, 403, 404].includes(status)) return t(`err.${status}`);
  if (status === 503) return t("err.503");
  return t("err.500");
}

/** Saves what `path` answers as a file called `name`, keeping the session cookie. */
export async function download(path, name) {
  const response = await call("GET", path, undefined, { raw: true });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

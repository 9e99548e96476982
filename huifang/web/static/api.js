// The API as the pages use it: JSON in and out, the session cookie, the CSRF token on changes.
"use strict";

const huifangApi = {
  csrfToken: "",

  async request(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = huifangApi.csrfToken;
    const response = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) throw huifangApi.failure(response, data);
    return data;
  },

  // A paged list: the items and the total the server counted (X-Total-Count).
  async page(path) {
    const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const data = await response.json();
    if (!response.ok) throw huifangApi.failure(response, data);
    return { items: data, total: Number(response.headers.get("X-Total-Count")) || data.length };
  },

  // One line saying what went wrong: the server's detail (a validation error's messages).
  failure(response, data) {
    const detail = data && data.detail;
    if (Array.isArray(detail)) return new Error(detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("；"));
    return new Error(detail || `${response.status} ${response.statusText}`);
  },

  async me() {
    const me = await huifangApi.request("GET", "/api/me");
    huifangApi.csrfToken = me.csrf_token;
    return me;
  },

  async signIn(username, password) {
    const me = await huifangApi.request("POST", "/api/login", { username, password });
    huifangApi.csrfToken = me.csrf_token;
    return me;
  },
};

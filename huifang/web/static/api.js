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
    if (!response.ok) throw new Error((data && data.detail) || response.statusText);
    return data;
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

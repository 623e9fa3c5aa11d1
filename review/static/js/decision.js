/* The committee's decision page (progressive enhancement: the page works without it).
 * When a level select changes, asks the server (the rules core) what both binding quotas
 * would be with the levels the selects show now, WITHOUT saving anything, and shows the
 * answer in the quota boxes (a live region). Each choice is still saved by its own form.
 */
(function () {
  "use strict";

  var quota = document.getElementById("quota");
  if (!quota || !quota.dataset.previewUrl) return;
  var status = document.createElement("p");
  status.className = "hint";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  quota.insertBefore(status, quota.querySelector(".quota-grid"));

  function chosen() {
    var params = new URLSearchParams();
    var changed = false;
    document.querySelectorAll("form[data-choice]").forEach(function (form) {
      var select = form.elements.namedItem("level");
      if (!select) return;
      params.append(form.dataset.choice, select.value);
      if (select.value !== select.dataset.saved) changed = true;
    });
    return { params: params, changed: changed };
  }

  function show(kind, figures) {
    var box = quota.querySelector('[data-quota="' + kind + '"]');
    if (!box) return;
    ["pool", "limit", "excellent"].forEach(function (key) {
      var out = box.querySelector('[data-value="' + key + '"]');
      if (out) out.textContent = String(figures[key]);
    });
    box.classList.toggle("exceeded", figures.exceeded);
    box.dataset.exceeded = figures.exceeded ? "true" : "false";
    var verdict = box.querySelector("[data-verdict]");
    if (verdict) {
      verdict.textContent = "";
      var badge = document.createElement("span");
      badge.className = figures.exceeded ? "badge warn" : "badge ok";
      badge.textContent = window.uiText(figures.exceeded ? "quota_over" : "quota_within");
      verdict.appendChild(badge);
      verdict.appendChild(document.createTextNode(
        figures.exceeded
          ? window.uiText("quota_over_by", { over: figures.over, limit: figures.limit })
          : window.uiText("quota_not_over", { limit: figures.limit })
      ));
    }
  }

  var pending = null;
  function refresh() {
    var state = chosen();
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(quota.dataset.previewUrl + "?" + state.params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: pending.signal,
    })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (figures) {
        show("members", figures.members);
        show("cells", figures.cells);
        status.textContent = state.changed
          ? window.uiText("decision_preview")
          : "";
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        status.textContent = window.uiText("decision_no_preview");
      });
  }

  document.querySelectorAll("form[data-choice]").forEach(function (form) {
    var select = form.elements.namedItem("level");
    if (!select) return;
    select.dataset.saved = select.value;
    select.addEventListener("change", refresh);
  });
})();

/* The ward's export page: follow the ZIP's progress without reloading.
 * Progressive enhancement only: without this script the page refreshes itself
 * (a <meta http-equiv="refresh"> inside <noscript>) until the ZIP is ready.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-export-poll]");
  if (!box || box.dataset.finished === "true") return;

  var url = box.dataset.exportPoll;
  var bar = box.querySelector("[data-export-bar]");
  var text = box.querySelector("[data-export-text]");
  var status = box.querySelector("[data-export-status]");
  var INTERVAL = 1000;
  var RETRY = 3000;

  function show(data) {
    if (bar && data.total > 0) {
      bar.max = data.total;
      bar.value = data.done;
      bar.textContent = data.done + "/" + data.total;
    }
    if (text) text.textContent = data.text;
    if (status) status.textContent = data.status_label;
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          // The server renders the finished page: the download link, or what went wrong.
          window.location.reload();
          return;
        }
        setTimeout(poll, INTERVAL);
      })
      .catch(function () {
        if (text) text.textContent = window.uiText("progress_offline");
        setTimeout(poll, RETRY);
      });
  }

  setTimeout(poll, INTERVAL);
})();

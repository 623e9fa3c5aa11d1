/* Progressive enhancement only: every form works without this script.
 * - forms marked data-autosave save in the background as the user types;
 * - forms marked data-warn-unsaved warn before leaving with unsaved text;
 * - [data-add-row] buttons add a blank row cloned from a <template>;
 * - forms marked data-live-summary ask the server (the rules core) for figures as they change;
 * - the navigation bar (details[data-menu]) folds into one menu on a narrow screen.
 * A form's hidden "version" field carries the version of the record it was loaded with: each
 * background save updates it, and a save over someone else's change (409) shows their text and
 * stops saving in the background until the user saves by hand.
 */
(function () {
  "use strict";

  var dirtyForms = new Set();

  // The page's words for the scripts (base.html, body[data-ui-texts], translated on the server): uiText("saving"),
  // uiText("tally_problems", {count: 3}) fills the {count} field. The other scripts use it too.
  var texts = null;
  function uiText(key, values) {
    if (texts === null) {
      try { texts = JSON.parse(document.body.dataset.uiTexts || "{}"); } catch (error) { texts = {}; }
    }
    var text = texts[key] !== undefined ? texts[key] : key;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values && values[name] !== undefined ? String(values[name]) : whole;
    });
  }
  window.uiText = uiText;

  function setStatus(form, text, state) {
    var status = form.querySelector("[data-save-status]");
    if (!status) return;
    status.textContent = text;
    status.dataset.state = state || "";
  }

  function postForm(form, url, extraHeaders) {
    var headers = Object.assign({ "X-Autosave": "1", "Accept": "application/json" }, extraHeaders || {});
    return fetch(url || form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: new FormData(form),
      headers: headers,
      credentials: "same-origin",
    });
  }

  function showErrors(form, errors) {
    form.querySelectorAll("[data-live-error]").forEach(function (el) { el.remove(); });
    Object.keys(errors || {}).forEach(function (name) {
      var messages = errors[name];
      if (!Array.isArray(messages)) return;
      var input = form.querySelector('[name="' + name + '"]');
      if (!input) return;
      var p = document.createElement("p");
      p.className = "error";
      p.dataset.liveError = "";
      p.textContent = messages.join(" ");
      input.insertAdjacentElement("afterend", p);
    });
  }

  function setVersion(form, version) {
    var input = form.querySelector('input[name="version"]');
    if (input && version !== undefined && version !== null) input.value = String(version);
  }

  function showConflict(form, data) {
    var old = form.querySelector("[data-conflict]");
    if (old) old.remove();
    var box = document.createElement("section");
    box.className = "flash flash-error conflict";
    box.setAttribute("role", "alert");
    box.dataset.conflict = "";
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = uiText("unsaved");
    p.appendChild(strong);
    p.appendChild(document.createTextNode(data.conflict));
    box.appendChild(p);
    if (Array.isArray(data.current) && data.current.length) {
      var dl = document.createElement("dl");
      dl.className = "conflict-current";
      data.current.forEach(function (line) {
        var dt = document.createElement("dt");
        dt.textContent = line.label;
        var dd = document.createElement("dd");
        dd.textContent = line.text || uiText("empty");
        dl.appendChild(dt);
        dl.appendChild(dd);
      });
      box.appendChild(dl);
    }
    var after = document.createElement("p");
    after.textContent = uiText("kept_typed");
    box.appendChild(after);
    form.insertAdjacentElement("afterbegin", box);
  }

  function autosave(form) {
    var timer = null;
    var inFlight = false;
    var again = false;
    var conflicted = false;  // someone else changed the record: only a save by hand goes on
    var pendingSubmit = null;

    form.addEventListener("submit", function (event) {
      clearTimeout(timer);
      if (!inFlight) return;
      // Let the background save finish first, so the form carries the version it produced.
      event.preventDefault();
      pendingSubmit = event.submitter || true;
    });

    function run() {
      if (conflicted) {
        // Counted, so a test can see the decision instead of waiting for a save that never comes.
        form.dataset.autosaveSkipped = String(Number(form.dataset.autosaveSkipped || 0) + 1);
        return;
      }
      if (inFlight) { again = true; return; }
      inFlight = true;
      setStatus(form, uiText("saving"), "saving");
      postForm(form).then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      }).then(function (result) {
        if (result.data.ok) {
          dirtyForms.delete(form);
          showErrors(form, {});
          setVersion(form, result.data.version);
          setStatus(form, uiText("saved_at") + result.data.saved_at, "saved");
        } else if (result.status === 409 && result.data.conflict) {
          conflicted = true;
          again = false;
          setVersion(form, result.data.version);
          showConflict(form, result.data);
          setStatus(form, uiText("conflict"), "error");
        } else {
          showErrors(form, result.data.errors);
          setStatus(form, uiText("invalid"), "error");
        }
      }).catch(function () {
        setStatus(form, uiText("offline"), "error");
      }).finally(function () {
        inFlight = false;
        if (pendingSubmit) {
          var submitter = pendingSubmit === true ? undefined : pendingSubmit;
          pendingSubmit = null;
          again = false;
          dirtyForms.delete(form);
          if (!conflicted) form.requestSubmit(submitter);
          return;
        }
        if (again) { again = false; run(); }
      });
    }

    form.addEventListener("input", function (event) {
      if (!event.target.matches("textarea, input[type=text]")) return;
      clearTimeout(timer);
      timer = setTimeout(run, 1500);
    });
  }

  function warnUnsaved(form) {
    form.addEventListener("input", function () {
      dirtyForms.add(form);
      setStatus(form, uiText("dirty"), "dirty");
    });
    form.addEventListener("change", function () { dirtyForms.add(form); });
    form.addEventListener("submit", function () { dirtyForms.delete(form); });
  }

  window.addEventListener("beforeunload", function (event) {
    if (dirtyForms.size === 0) return;
    event.preventDefault();
    event.returnValue = uiText("leave");  // older browsers need a non-empty value
  });

  function addRow(button) {
    button.addEventListener("click", function () {
      var template = document.getElementById(button.dataset.addRow);
      var list = document.getElementById(button.dataset.target);
      if (!template || !list) return;
      var index = list.querySelectorAll("[data-row]").length;
      var html = template.innerHTML.replace(/__index__/g, String(index));
      list.insertAdjacentHTML("beforeend", html);
      var rows = list.querySelectorAll("[data-row]");
      var first = rows[rows.length - 1].querySelector("select, textarea, input");
      if (first) first.focus();
    });
  }

  function liveSummary(form) {
    var url = form.dataset.liveSummary;
    var update = function () {
      postForm(form, url).then(function (response) { return response.json(); }).then(function (data) {
        Object.keys(data).forEach(function (key) {
          form.ownerDocument.querySelectorAll('[data-summary="' + key + '"]').forEach(function (el) {
            el.textContent = data[key];
          });
        });
        var box = form.ownerDocument.querySelector("[data-quorum-state]");
        if (box && "quorum_met" in data) box.dataset.quorumState = data.quorum_met_flag ? "met" : "not-met";
      }).catch(function () { /* the figures refresh on the next save */ });
    };
    form.addEventListener("change", update);
  }

  // The navigation bar: folded into one menu on a narrow screen, a row of links on a wide one
  // (the width of app.css's media query). Served open, so it works without this script.
  function foldMenu(menu) {
    var narrow = window.matchMedia("(max-width: 600px)");
    var fit = function () { menu.open = !narrow.matches; };
    fit();
    narrow.addEventListener("change", fit);
  }

  // A wide table's box (.table-wrap): when it scrolls sideways it becomes a focusable, labelled
  // region (keyboard users can scroll it) with a visible cue; when it fits, a plain box again.
  function scrollRegion(wrap) {
    var table = wrap.querySelector("table");
    var caption = table && table.querySelector("caption");
    var cue = document.createElement("p");
    cue.className = "scroll-cue";
    cue.setAttribute("aria-hidden", "true");
    cue.textContent = uiText("swipe");
    var fit = function () {
      var overflows = wrap.scrollWidth > wrap.clientWidth + 1;
      if (overflows) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", (caption && caption.textContent.trim()) || uiText("table"));
        if (!cue.isConnected) wrap.insertAdjacentElement("beforebegin", cue);
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        if (cue.isConnected) cue.remove();
      }
    };
    fit();
    window.addEventListener("resize", fit);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".table-wrap").forEach(scrollRegion);
    document.querySelectorAll("details[data-menu]").forEach(foldMenu);
    document.querySelectorAll("form[data-warn-unsaved]").forEach(warnUnsaved);
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    document.querySelectorAll("form[data-live-summary]").forEach(liveSummary);
    document.querySelectorAll("button[data-add-row]").forEach(addRow);
  });
})();

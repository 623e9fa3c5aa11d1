/* The tally entry, as the counter types (progressive enhancement: the page works without it).
 * - keeps each row's total and the valid ballots (returned − invalid) up to date;
 * - asks the server (the rules core) for every consistency check of the numbers as typed,
 *   WITHOUT saving them, and shows the answer in a live region, marking the rows and inputs;
 * - selects a number when its input gets the focus, so typing replaces it.
 */
(function () {
  "use strict";

  // A row's numbers: the form says which (data-fields: the single ballot's five, ballot 1's four
  // of two, or ballot 2's agree / disagree / blank).
  function fieldsOf(form) {
    return (form.dataset.fields || "excellent good completed not_completed blank").split(" ");
  }

  function readNumber(input) {
    var text = (input && input.value || "").trim();
    return /^[0-9]{1,6}$/.test(text) ? parseInt(text, 10) : null;
  }

  function updateFigures(form) {
    var returned = readNumber(form.elements.namedItem("returned"));
    var invalid = readNumber(form.elements.namedItem("invalid"));
    var valid = form.querySelector("[data-valid]");
    if (valid) valid.textContent = returned !== null && invalid !== null ? String(returned - invalid) : "—";
    form.querySelectorAll("tr[data-row]").forEach(function (row) {
      var key = row.dataset.row;
      var total = 0;
      var readable = fieldsOf(form).every(function (field) {
        var n = readNumber(form.elements.namedItem("rows-" + key + "-" + field));
        if (n === null) return false;
        total += n;
        return true;
      });
      var out = row.querySelector("[data-row-total]");
      if (out) out.textContent = readable ? String(total) : "—";
    });
  }

  function clearMarks(form) {
    form.querySelectorAll("[data-input-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll("tr.has-problem").forEach(function (row) { row.classList.remove("has-problem"); });
    form.querySelectorAll(".field.has-error").forEach(function (el) { el.classList.remove("has-error"); });
    form.querySelectorAll("input.num, textarea").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
  }

  function describeBy(input, id) {
    if (!input) return;
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(id) < 0) ids.push(id);
    input.setAttribute("aria-describedby", ids.join(" "));
    input.setAttribute("aria-invalid", "true");
    var field = input.closest(".field");
    if (field) field.classList.add("has-error");
  }

  function paragraph(text, className) {
    var p = document.createElement("p");
    p.textContent = text;
    if (className) p.className = className;
    return p;
  }

  function showProblems(form, box, problems) {
    box.replaceChildren();
    if (!problems.length) {
      box.appendChild(paragraph(window.uiText("tally_ok"), "ok"));
      return;
    }
    box.appendChild(paragraph(window.uiText("tally_problems", { count: problems.length }), "error"));
    var list = document.createElement("ul");
    list.className = "problems";
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      item.id = problem.id;
      item.textContent = problem.message;
      list.appendChild(item);
      if (problem.row) {
        var row = form.querySelector('tr[data-row="' + CSS.escape(problem.row) + '"]');
        if (row) {
          row.classList.add("has-problem");
          row.querySelectorAll("input.num").forEach(function (input) { describeBy(input, problem.id); });
        }
      }
      if (problem.input) describeBy(form.elements.namedItem(problem.input), problem.id);
    });
    box.appendChild(list);
  }

  function showInputErrors(form, box, errors) {
    var names = Object.keys(errors || {});
    names.forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (!input) return;
      var p = paragraph([].concat(errors[name]).join(" "), "error");
      p.id = name + "-error";
      p.dataset.inputError = "";
      input.insertAdjacentElement("afterend", p);
      describeBy(input, p.id);
    });
    box.replaceChildren(paragraph(window.uiText("tally_bad_cells", { count: names.length }), "error"));
  }

  function setStatus(form, text, state) {
    var status = form.querySelector("[data-save-status]");
    if (!status) return;
    status.textContent = text;
    status.dataset.state = state || "";
  }

  function enhance(form) {
    var url = form.dataset.checkUrl;
    var box = document.querySelector("[data-checks]");
    var timer = null;
    var sent = 0;

    function check() {
      var mine = ++sent;
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Autosave": "1", "Accept": "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        if (response.status !== 200 && response.status !== 422) throw new Error(String(response.status));
        return response.json();
      }).then(function (data) {
        if (mine !== sent || !box) return;  // a later check is on its way
        clearMarks(form);
        if (data.ok) showProblems(form, box, data.problems || []);
        else showInputErrors(form, box, data.errors);
      }).catch(function () {
        if (mine !== sent) return;
        setStatus(form, window.uiText("tally_offline"), "error");
      });
    }

    form.addEventListener("input", function (event) {
      if (!event.target.matches("input.num")) return;
      updateFigures(form);
      clearTimeout(timer);
      timer = setTimeout(check, 500);
    });
    form.addEventListener("focusin", function (event) {
      if (event.target.matches("input.num")) event.target.select();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-tally]").forEach(enhance);
  });
})();

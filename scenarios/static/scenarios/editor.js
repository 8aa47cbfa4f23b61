// Scenario editor: line numbers with error markers, validation as you type (the server's
// validator, so the page shows exactly what publishing would say), and the dry-run panel.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var textarea = document.getElementById("yaml");
  var gutter = document.getElementById("gutter");
  var panel = document.getElementById("validation");
  // Interface texts, from data attributes (escaped like any attribute, so quotes are safe).
  var t = document.getElementById("i18n-editor").dataset;
  var errorLines = {};

  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : form.querySelector("[name=csrfmiddlewaretoken]").value;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) { return response.json(); });
  }

  function drawGutter() {
    var count = textarea.value.split("\n").length;
    gutter.textContent = "";
    for (var i = 1; i <= count; i++) {
      var span = document.createElement("span");
      span.textContent = String(i);
      if (errorLines[i]) {
        span.className = "error";
        span.title = errorLines[i].join("\n");
        span.dataset.testid = "error-line";
      }
      gutter.appendChild(span);
    }
    gutter.scrollTop = textarea.scrollTop;
  }

  function goToLine(line) {
    var lines = textarea.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    textarea.focus();
    textarea.setSelectionRange(offset, offset + (lines[line - 1] || "").length);
  }

  function showErrors(errors) {
    errorLines = {};
    panel.textContent = "";
    if (!errors.length) {
      var ok = document.createElement("p");
      ok.className = "ok";
      ok.textContent = t.noErrors;
      panel.appendChild(ok);
    } else {
      var list = document.createElement("ul");
      list.className = "problems";
      errors.forEach(function (error) {
        (errorLines[error.line] = errorLines[error.line] || []).push(error.message);
        var item = document.createElement("li");
        item.dataset.line = error.line;
        item.textContent = t.where.replace("{line}", error.line).replace("{col}", error.column) + ": " +
          (error.field ? error.field + " " : "") + error.message;
        item.addEventListener("click", function () { goToLine(error.line); });
        list.appendChild(item);
      });
      panel.appendChild(list);
    }
    drawGutter();
  }

  var timer = null;
  var sequence = 0;
  function validateSoon() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var mine = ++sequence;
      post(form.dataset.validateUrl, { yaml: textarea.value }).then(function (body) {
        if (mine === sequence) showErrors(body.errors || []);
      });
    }, 350);
  }

  textarea.addEventListener("input", function () { drawGutter(); validateSoon(); });
  textarea.addEventListener("scroll", function () { gutter.scrollTop = textarea.scrollTop; });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Tab") {  // two spaces: YAML forbids tabs
      event.preventDefault();
      var start = textarea.selectionStart;
      textarea.setRangeText("  ", start, textarea.selectionEnd, "end");
      validateSoon();
    }
  });
  Array.prototype.forEach.call(panel.querySelectorAll("li[data-line]"), function (item) {
    var line = Number(item.dataset.line);
    (errorLines[line] = errorLines[line] || []).push(item.textContent);
    item.addEventListener("click", function () { goToLine(line); });
  });
  drawGutter();

  // Dry run: the whole reply list is sent each time; the server replays it from the start.
  var dry = document.getElementById("dry-run");
  var replies = [];
  var transcript = document.getElementById("dry-transcript");
  var summary = document.getElementById("dry-summary");

  function render(body) {
    transcript.textContent = "";
    summary.textContent = "";
    if (body.errors) { showErrors(body.errors); return; }
    body.transcript.forEach(function (line) {
      var div = document.createElement("div");
      div.className = "dry-line " + line.role;
      div.dataset.testid = "dry-line";
      div.textContent = line.t.toFixed(1) + "s  " + line.text;
      if (line.role === "agent" && line.reason) {
        var why = document.createElement("span");
        why.className = "why";
        why.dataset.testid = "dry-why";
        why.textContent = "→ " + (line.reason === "no branch matched" ? t.fallback : line.reason);
        div.appendChild(why);
      }
      (line.hits || []).forEach(function (hit) {
        var span = document.createElement("span");
        span.className = "hit";
        span.dataset.testid = "dry-hit";
        span.textContent = "⚠ " + hit.rule + ": " + hit.suggestion;
        div.appendChild(span);
      });
      transcript.appendChild(div);
    });
    summary.textContent = t.path + ": " + body.path.join(" → ") + " · " + t.outcome + ": " +
      (body.outcome || "—") + " · " + t.score + ": " + (body.total === null ? "—" : body.total);
  }

  function run() {
    post(dry.dataset.url, { yaml: textarea.value, seed: 0, replies: replies }).then(render);
  }

  document.getElementById("dry-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = document.getElementById("dry-text");
    if (!text.value.trim()) return;
    replies.push({ after_s: Number(document.getElementById("dry-after").value) || 5, text: text.value });
    text.value = "";
    run();
  });
  document.getElementById("dry-reset").addEventListener("click", function () { replies = []; run(); });
  run();
})();

// Track editor: line numbers with error markers, and validation as the trainer types (the
// server's validator, so the page shows exactly what saving and publishing would say), with
// the policy as trainees will read it once the text has no errors.
(function () {
  "use strict";
  var form = document.getElementById("track-form");
  var textarea = document.getElementById("track-yaml");
  var gutter = document.getElementById("track-gutter");
  var panel = document.getElementById("track-validation");
  var preview = document.getElementById("track-preview");
  var t = JSON.parse(document.getElementById("track-editor-texts").textContent);
  var errorLines = {};

  function csrf() {
    return form.querySelector("[name=csrfmiddlewaretoken]").value;
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
      }
      gutter.appendChild(span);
    }
    gutter.scrollTop = textarea.scrollTop;
  }

  function goToLine(line, column) {
    var lines = textarea.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    var start = offset + Math.max(0, (column || 1) - 1);
    textarea.focus();
    textarea.setSelectionRange(start, offset + (lines[line - 1] || "").length);
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
        item.dataset.testid = "track-error";
        item.textContent = t.where.replace("{line}", error.line).replace("{col}", error.column) +
          ": " + (error.field ? error.field + " " : "") + error.message;
        item.addEventListener("click", function () { goToLine(error.line, error.column); });
        list.appendChild(item);
      });
      panel.appendChild(list);
    }
    drawGutter();
  }

  function showPolicy(policy) {
    preview.textContent = "";
    if (!policy) {
      var note = document.createElement("p");
      note.className = "muted";
      note.textContent = t.fixToPreview;
      preview.appendChild(note);
      return;
    }
    var list = document.createElement("ol");
    list.className = "policy";
    policy.forEach(function (part) {
      var item = document.createElement("li");
      item.dataset.key = part.key;
      item.appendChild(document.createTextNode(part.text));
      if (part.items && part.items.length) {
        var sub = document.createElement("ul");
        part.items.forEach(function (text) {
          var li = document.createElement("li");
          li.textContent = text;
          sub.appendChild(li);
        });
        item.appendChild(sub);
      }
      list.appendChild(item);
    });
    preview.appendChild(list);
  }

  var timer = null;
  var sequence = 0;
  function validateSoon() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var mine = ++sequence;
      fetch(form.dataset.validateUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        credentials: "same-origin",
        body: JSON.stringify({ yaml: textarea.value, slug: form.dataset.slug })
      }).then(function (response) { return response.json(); }).then(function (body) {
        if (mine !== sequence) return;
        if (body.error) {
          showErrors([{ line: 1, column: 1, field: "", message: body.error }]);
          showPolicy(null);
          return;
        }
        showErrors(body.errors || []);
        showPolicy(body.policy);
      }).catch(function () {
        if (mine === sequence) panel.dataset.state = "offline";
      });
    }, 350);
  }

  textarea.addEventListener("input", function () { drawGutter(); validateSoon(); });
  textarea.addEventListener("scroll", function () { gutter.scrollTop = textarea.scrollTop; });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Tab") {  // two spaces: YAML forbids tabs
      event.preventDefault();
      textarea.setRangeText("  ", textarea.selectionStart, textarea.selectionEnd, "end");
      validateSoon();
    }
  });
  Array.prototype.forEach.call(panel.querySelectorAll("li[data-line]"), function (item) {
    var line = Number(item.dataset.line);
    (errorLines[line] = errorLines[line] || []).push(item.textContent);
    item.addEventListener("click", function () { goToLine(line); });
  });
  drawGutter();
})();

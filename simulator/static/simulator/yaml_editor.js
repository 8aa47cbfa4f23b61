// What the YAML editors share (scenarios, certification tracks): line numbers with error
// markers, a Tab that types two spaces (YAML forbids tabs), and validation as the author
// types against the server's own validator, so the page shows exactly what saving and
// publishing would say. Each editor's script calls simulator.yamlEditor(...) and keeps only
// what differs: the scenario's dry run, the track's policy preview.
(function () {
  "use strict";

  // options: form, textarea, gutter, panel (elements); texts {noErrors, where: "… {line}
  // … {col} …"}; problemTestId (data-testid of each listed problem, optional);
  // request(): the JSON body to check (default {yaml: text}); checked(answer): called with
  // the server's answer once it is shown.
  function yamlEditor(options) {
    var form = options.form;
    var textarea = options.textarea;
    var gutter = options.gutter;
    var panel = options.panel;
    var t = options.texts;
    var errorLines = {};

    function csrf() {
      var field = form.querySelector("[name=csrfmiddlewaretoken]");
      if (field) return field.value;
      var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
      return match ? decodeURIComponent(match[1]) : "";
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

    // Selects the line from the problem's column (the whole line when none is known).
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
          if (options.problemTestId) item.dataset.testid = options.problemTestId;
          // As the server lists them: where, the field (as code), the message; all in the
          // interface language, which the server answered in.
          item.appendChild(document.createTextNode(
            t.where.replace("{line}", error.line).replace("{col}", error.column) + ": "));
          if (error.field) {
            var field = document.createElement("code");
            field.textContent = error.field;
            item.appendChild(field);
            item.appendChild(document.createTextNode(" "));
          }
          item.appendChild(document.createTextNode(error.message));
          item.addEventListener("click", function () { goToLine(error.line, error.column); });
          list.appendChild(item);
        });
        panel.appendChild(list);
      }
      drawGutter();
    }

    // Only the answer to the latest text is shown: an earlier, slower one is dropped.
    var timer = null;
    var sequence = 0;
    function validateSoon() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++sequence;
        var body = options.request ? options.request() : { yaml: textarea.value };
        post(form.dataset.validateUrl, body).then(function (answer) {
          if (mine !== sequence) return;
          delete panel.dataset.state;
          if (answer.error) {  // the request itself was refused (too large, not JSON)
            showErrors([{ line: 1, column: 1, field: "", message: answer.error }]);
          } else {
            showErrors(answer.errors || []);
          }
          if (options.checked) options.checked(answer);
        }).catch(function () {
          if (mine === sequence) panel.dataset.state = "offline";
        });
      }, 350);
    }

    textarea.addEventListener("input", function () { drawGutter(); validateSoon(); });
    textarea.addEventListener("scroll", function () { gutter.scrollTop = textarea.scrollTop; });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Tab") {
        event.preventDefault();
        textarea.setRangeText("  ", textarea.selectionStart, textarea.selectionEnd, "end");
        validateSoon();
      }
    });
    // The problems the server listed with the page, before any typing.
    Array.prototype.forEach.call(panel.querySelectorAll("li[data-line]"), function (item) {
      var line = Number(item.dataset.line);
      (errorLines[line] = errorLines[line] || []).push(item.textContent);
      item.addEventListener("click", function () { goToLine(line); });
    });
    drawGutter();

    return { post: post, showErrors: showErrors };
  }

  window.simulator = window.simulator || {};
  window.simulator.yamlEditor = yamlEditor;
})();

// Module editor: the shared YAML editor (simulator/yaml_editor.js: line numbers, error
// markers, validation as the author types) and what only modules have, a preview of the
// lessons as trainees will read them and of the quiz with its keys.
(function () {
  "use strict";
  var form = document.getElementById("module-form");
  var textarea = document.getElementById("module-yaml");
  var preview = document.getElementById("module-preview");
  var t = JSON.parse(document.getElementById("module-editor-texts").textContent);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;  // the author's text is set as text
    return node;
  }

  function show(data) {
    preview.textContent = "";
    if (!data) {
      preview.appendChild(el("p", "muted", t.fixToPreview));
      return;
    }
    data.lessons.forEach(function (lesson) {
      var box = el("section", "lesson");
      box.dataset.testid = "preview-lesson";
      box.appendChild(el("h3", "", lesson.title));
      box.appendChild(el("p", "muted", t.minutes.replace("{n}", lesson.minutes)));
      var body = el("div", "lesson-body");
      // Rendered and cleaned on the server by the lesson pages' own renderer (nh3).
      body.innerHTML = lesson.html;
      box.appendChild(body);
      preview.appendChild(box);
    });
    if (!data.quiz) return;
    var quiz = el("section", "quiz");
    quiz.dataset.testid = "preview-quiz";
    quiz.appendChild(el("h3", "", data.quiz.title));
    quiz.appendChild(el("p", "muted", t.passMark.replace("{n}", data.quiz.pass_mark)));
    var list = el("ol", "questions");
    data.quiz.questions.forEach(function (q) {
      var item = el("li", "", q.prompt);
      item.dataset.testid = "preview-question";
      var answers = el("ul");
      q.choices.forEach(function (c) {
        answers.appendChild(el("li", c.correct ? "correct" : "", c.text + (c.correct ? " ✓ " + t.correct : "")));
      });
      if (q.answer_true !== null && q.answer_true !== undefined) {
        answers.appendChild(el("li", "correct", (q.answer_true ? t["true"] : t["false"]) + " ✓"));
      }
      if (q.accepted.length) answers.appendChild(el("li", "correct", t.accepted + " " + q.accepted.join("、")));
      item.appendChild(answers);
      list.appendChild(item);
    });
    quiz.appendChild(list);
    preview.appendChild(quiz);
  }

  window.simulator.yamlEditor({
    form: form,
    textarea: textarea,
    gutter: document.getElementById("module-gutter"),
    panel: document.getElementById("module-validation"),
    texts: t,
    problemTestId: "module-error",
    checked: function (answer) { show(answer.error ? null : answer.preview); }
  });
  textarea.dispatchEvent(new Event("input"));  // the preview of the text as it opens
})();

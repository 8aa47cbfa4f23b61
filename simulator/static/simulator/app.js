// Behaviour every page shares, wired from data attributes: the Content-Security-Policy
// runs no inline handlers (onclick=, onchange=), only script files.
(function () {
  "use strict";

  // <select data-submit-on-change>: the language menu switches as soon as one is chosen.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-submit-on-change]") && field.form) {
      field.form.submit();
    }
  });

  // <button data-confirm="question">: asks first; "Cancel" leaves the form unsent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();

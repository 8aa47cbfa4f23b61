// The slips page's print button (the Content-Security-Policy runs no inline handlers).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print-page]") : null;
    if (button) {
      window.print();
    }
  });
})();

// The print button of an application's receipt and page: shown only where JavaScript can print.
(function () {
  "use strict";
  if (typeof window.print !== "function") {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.classList.add("citizen-print--ready");
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();

// 打印: buttons marked data-print open the browser's print dialog ("另存为 PDF" gives a PDF).
// A file of its own because the CSP allows no inline handlers.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();

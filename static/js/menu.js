// The top navigation is a <details> menu so that phones can open it without JavaScript; on wider
// screens, where the links fit in one row, it starts open.
(function () {
  "use strict";
  var menu = document.querySelector(".nav-menu");
  if (menu && window.matchMedia("(min-width: 761px)").matches) { menu.open = true; }
})();

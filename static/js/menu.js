/* The site menu: folded behind "Menu" on a phone, open on a wide screen; an area's
   drop-down closes when another opens, on Escape, or on a click elsewhere.
   Without JavaScript the menu simply stays open. */
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  var menu = document.querySelector("details.site-menu");
  var groups = Array.prototype.slice.call(document.querySelectorAll("details[data-menu-group]"));
  function fit() {
    if (!menu) return;
    if (narrow.matches) { menu.removeAttribute("open"); } else { menu.setAttribute("open", ""); }
  }
  fit();
  if (narrow.addEventListener) { narrow.addEventListener("change", fit); }
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open || narrow.matches) return;
      groups.forEach(function (other) { if (other !== group) other.removeAttribute("open"); });
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups.forEach(function (group) {
      if (group.open) { group.removeAttribute("open"); group.querySelector("summary").focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    if (narrow.matches) return;
    groups.forEach(function (group) { if (!group.contains(event.target)) group.removeAttribute("open"); });
  });
})();

/* A field marked data-select-on-focus (an address to copy) selects its text when focused
   (no inline onfocus: the Content-Security-Policy allows no inline handler). */
document.addEventListener("focusin", function (event) {
  var field = event.target;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
    field.select();
  }
});

// A button with data-print prints the page (no inline onclick: the CSP allows no inline script).
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) {
    window.print();
  }
});

/* Tables on a phone: each row becomes a small card, each cell labelled with its column's
   heading (data-label, shown by app.css under 48rem), so no column is off-screen. A table
   that still scrolls sideways (wide screens, no JavaScript) gets a keyboard-focusable,
   named region, so it can be scrolled without a mouse. */
(function () {
  "use strict";
  var wraps = document.querySelectorAll(".table-wrap");
  Array.prototype.forEach.call(wraps, function (wrap) {
    var table = wrap.querySelector("table");
    if (!table || table.classList.contains("no-stack")) return;
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) return;
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr, tfoot tr"), function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (heads[column] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[column]);
        column += cell.colSpan || 1;
      });
    });
    table.classList.add("stacked");
  });
  function focusable() {
    Array.prototype.forEach.call(wraps, function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label")) {
          var caption = wrap.querySelector("caption");
          var section = wrap.closest("section");
          var heading = section && section.querySelector("h2, h3");
          var title = document.querySelector("h1");
          wrap.setAttribute("aria-label", ((caption || heading || title || {}).textContent || "Table").trim());
        }
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
      }
    });
  }
  focusable();
  window.addEventListener("resize", focusable);
})();

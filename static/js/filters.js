/* Filter panels fold away on a phone: each search form (form[role=search]) goes into a
   <details> whose summary reads "Filters"; it starts open when filters are in use.
   Without JavaScript, or on a wide screen, the form shows as it is. */
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 47.99rem)").matches) return;
  var label = document.body.getAttribute("data-filters-label") || "Filters";
  var params = new URLSearchParams(window.location.search);
  params.delete("page");
  var active = Array.from(params.values()).some(function (value) { return value !== ""; });
  document.querySelectorAll("form[role=search]").forEach(function (form) {
    var details = document.createElement("details");
    details.className = "filters";
    if (active) details.open = true;
    var summary = document.createElement("summary");
    summary.textContent = label;
    details.appendChild(summary);
    form.parentNode.insertBefore(details, form);
    details.appendChild(form);
  });
})();

/* The donate page: as the donor picks a suggested amount, the line under the amounts says
   what that amount does. Without JavaScript every amount's line is listed instead. The
   amounts are swapped in anew when the currency changes, so the listeners sit on the page. */
(function () {
  "use strict";
  document.body.classList.add("js-impact");
  function show() {
    var box = document.getElementById("gift-amount");
    if (!box) return;
    var live = box.querySelector(".impact-live");
    if (!live) return;
    var picked = box.querySelector("input[name=amount]:checked");
    var text = "";
    if (picked) {
      box.querySelectorAll(".impact li[data-amount]").forEach(function (item) {
        if (item.getAttribute("data-amount") === picked.value) text = item.textContent;
      });
    }
    live.textContent = text;
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "amount") show();
  });
  document.addEventListener("htmx:afterSwap", show);
  show();
})();

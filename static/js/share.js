/* A campaign's share links: "Copy link" copies the address, "Share…" opens the phone's
   share sheet (Web Share API). Each button shows only where the browser can do it; the
   e-mail, WhatsApp and Facebook links and the QR code work without JavaScript. */
(function () {
  "use strict";
  document.querySelectorAll(".share").forEach(function (box) {
    var status = box.querySelector(".share-status");
    var copy = box.querySelector("[data-copy]");
    if (copy && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var field = box.querySelector(copy.getAttribute("data-copy"));
        navigator.clipboard.writeText(field.value).then(function () {
          if (status) status.textContent = copy.getAttribute("data-copied");
        });
      });
    }
    var share = box.querySelector("[data-web-share]");
    if (share && navigator.share) {
      share.hidden = false;
      share.addEventListener("click", function () {
        navigator.share({
          title: box.getAttribute("data-share-title"),
          text: box.getAttribute("data-share-text"),
          url: box.getAttribute("data-share-url")
        }).catch(function () { /* the donor closed the share sheet */ });
      });
    }
  });
})();

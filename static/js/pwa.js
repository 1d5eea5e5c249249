/* The installable volunteer app: registers the service worker (/sw.js), forgets the kept
 * schedule after logging out, and turns push notifications on for this browser when asked. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) {
    return;
  }
  const body = document.body;
  navigator.serviceWorker.register(body.dataset.serviceWorker, {scope: "/"}).then(function (registration) {
    if (body.dataset.signedIn === "no" && registration.active) {
      registration.active.postMessage("forget");
    }
  }).catch(function () { /* the site works without it */ });

  function urlBase64ToUint8Array(text) {
    const padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  const button = document.querySelector("[data-push-subscribe]");
  if (!button || !("PushManager" in window)) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    const status = document.getElementById("push-status");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        throw new Error(button.dataset.refused);
      }
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: urlBase64ToUint8Array(button.dataset.vapidKey),
      });
    }).then(function (subscription) {
      return fetch(button.dataset.endpoint, {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRFToken": button.dataset.csrf},
        body: JSON.stringify(subscription.toJSON()),
        credentials: "same-origin",
      });
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(button.dataset.failed);
      }
      status.textContent = button.dataset.done;
    }).catch(function (error) {
      status.textContent = error.message || button.dataset.failed;
    });
  });
})();

/* The volunteer app's service worker: the schedule page opens without a connection.
 *
 * The schedule page is fetched from the network first; each good answer is kept. Offline,
 * the kept copy is shown, marked (data-cached-copy) so the page says it may be out of date.
 * Static files are kept as they are fetched, for the offline page to look right.
 * A push message (the outbox's push channel) is shown as a notification; a tap opens it.
 */
const CACHE = "{{ cache_name|escapejs }}";
const SCHEDULE = "{{ schedule_url|escapejs }}";
const STATIC = "{{ static_url|escapejs }}";
const LIVE_MARK = 'data-cached-copy="no"';

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("volunteer-schedule-") && name !== CACHE)
          .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

async function schedule(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      await cache.put(SCHEDULE, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(SCHEDULE);
    if (!kept) {
      throw error;
    }
    const html = (await kept.text()).replace(LIVE_MARK, 'data-cached-copy="yes"');
    return new Response(html, {headers: {"Content-Type": "text/html; charset=utf-8"}});
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) {
      return kept;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && url.pathname === SCHEDULE) {
    event.respondWith(schedule(request));
  } else if (url.pathname.startsWith(STATIC)) {
    event.respondWith(asset(request));
  }
});

self.addEventListener("message", (event) => {
  if (event.data === "forget") {  // logged out: nobody else should see the schedule
    event.waitUntil(caches.delete(CACHE));
  }
});

self.addEventListener("push", (event) => {
  const data = event.data ? event.data.json() : {};
  event.waitUntil(self.registration.showNotification(data.title || "", {
    body: data.body || "",
    tag: data.tag || undefined,
    data: {url: data.url || "/"},
    icon: STATIC + "img/icons/icon-192.png",
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});

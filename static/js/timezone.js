// The browser's time zone, for dates shown in the learner's zone: kept in the `tz` cookie (read by
// accounts.middleware.TimeZoneMiddleware for guests) and sent in the sign-up form's hidden
// `time_zone` field. The server validates both and falls back to UTC, so pages work without it.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) return;
  if (document.cookie.split("; ").indexOf("tz=" + zone) === -1) {
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
  }
  document.querySelectorAll('input[type="hidden"][name="time_zone"]').forEach(function (input) {
    if (!input.value) input.value = zone;
  });
})();

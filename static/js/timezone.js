// Signup: send the browser's time zone in the hidden `time_zone` field. The server validates it
// and falls back to UTC, so the form works the same without JavaScript.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) return;
  document.querySelectorAll('input[type="hidden"][name="time_zone"]').forEach(function (input) {
    if (!input.value) input.value = zone;
  });
})();

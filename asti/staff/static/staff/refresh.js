// Optional enhancement for the round dashboard: reloads the page every N seconds (data-auto-refresh="N").
// The page works without it; a "Refresh" link does the same by hand.
(function () {
  "use strict";
  var holder = document.querySelector("[data-auto-refresh]");
  if (!holder) { return; }
  var seconds = parseInt(holder.getAttribute("data-auto-refresh"), 10);
  if (!(seconds >= 10)) { return; }
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();

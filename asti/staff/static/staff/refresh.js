// Optional enhancement for the round dashboard and the job pages: reloads the page every N seconds
// (data-auto-refresh="N", at least 3). The pages work without it; a "Refresh" link does the same by hand.
(function () {
  "use strict";
  var holder = document.querySelector("[data-auto-refresh]");
  if (!holder) { return; }
  var seconds = parseInt(holder.getAttribute("data-auto-refresh"), 10);
  if (!(seconds >= 3)) { return; }
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();

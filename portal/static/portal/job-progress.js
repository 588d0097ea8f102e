/* Kita-Portal progress page of a background job: while the job runs, fetch the page again every few
 * seconds and put its new state (#job-state) in place, so the page is not reloaded under the reader
 * (it is a polite live region). Stops once the fetched state no longer asks for refreshing, i.e. the
 * job is done or failed. Without JavaScript a <noscript> meta refresh reloads the page instead.
 */
(function () {
  "use strict";

  function schedule(state) {
    var seconds = parseInt(state.getAttribute("data-refresh-seconds"), 10);
    if (!seconds) {
      return;
    }
    window.setTimeout(function () {
      update(state, seconds);
    }, seconds * 1000);
  }

  function update(state, seconds) {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-state");
        if (!fresh) {
          throw new Error("no job state in the page");
        }
        if (fresh.innerHTML !== state.innerHTML) {
          state.innerHTML = fresh.innerHTML;
        }
        if (fresh.hasAttribute("data-refresh-seconds")) {
          state.setAttribute("data-refresh-seconds", fresh.getAttribute("data-refresh-seconds"));
        } else {
          state.removeAttribute("data-refresh-seconds");
        }
        schedule(state);
      })
      .catch(function () {
        // A dropped connection or a restarting server: try again later, as the meta refresh would.
        window.setTimeout(function () {
          update(state, seconds);
        }, seconds * 1000 * 2);
      });
  }

  var state = document.getElementById("job-state");
  if (state) {
    schedule(state);
  }
})();

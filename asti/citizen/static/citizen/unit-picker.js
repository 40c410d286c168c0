// The unit picker on the application forms: with JavaScript the places found follow the search field and the
// filters as one types. The page works without this file: every button posts the whole form.
(function () {
  "use strict";
  var picker = document.querySelector("[data-unit-picker]");
  if (!picker || !window.fetch || !window.FormData) {
    return;
  }
  var form = picker.closest("form");
  var results = picker.querySelector("[data-picker-results]");
  var search = picker.querySelector("[data-picker-search]");
  var address = picker.getAttribute("data-action");
  var timer = null;
  var latest = 0;

  function show(html) {
    var incoming = document.createElement("template");
    incoming.innerHTML = html;
    var count = results.querySelector("[data-picker-count]");
    var newCount = incoming.content.querySelector("[data-picker-count]");
    if (count && newCount) {
      count.textContent = newCount.textContent; // the status is kept, so a screen reader hears the new count
      newCount.remove();
    }
    Array.prototype.slice.call(results.children).forEach(function (child) {
      if (child !== count) {
        child.remove();
      }
    });
    results.appendChild(incoming.content);
  }

  function refresh() {
    var data = new FormData(form);
    data.delete("attachment"); // a file waits for its own button
    data.set("action", "search");
    var mine = ++latest;
    fetch(address, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Asti-Picker": "1" } })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        if (mine === latest) {
          show(html);
        }
      })
      .catch(function () {
        /* the Search button still works */
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }

  if (search) {
    search.addEventListener("input", soon);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        window.clearTimeout(timer);
        refresh();
      }
    });
  }
  // the language of education chosen above: the places found follow it, as the server does after a search
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || target.name !== "education_language") {
      return;
    }
    var radio = picker.querySelector('input[name="place_language"][value="' + target.value + '"]');
    var follows = picker.querySelector('input[name="place_language_for"]');
    if (radio) {
      radio.checked = true;
    }
    if (follows) {
      follows.value = target.value;
    }
    refresh();
  });
  picker.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name === "place_language" || name === "order") {
      refresh();
    }
  });
})();

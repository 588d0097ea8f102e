/* Kita-Portal search page, progressive enhancement only: the result list and the form work without it.
 * 1. Draws the facilities of the current page on a Leaflet map (data from a json_script block).
 *    Without Leaflet the map stays hidden; without tiles the markers still show on a blank map.
 * 2. Offers "use my current location", which fills the postcode field with rounded coordinates.
 */
(function () {
  "use strict";

  function drawMap() {
    var container = document.getElementById("facility-map");
    var source = document.getElementById("map-data");
    if (!container || !source || typeof window.L === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.facilities.length) {
      return;
    }
    container.hidden = false;
    var map = L.map(container, { scrollWheelZoom: false });
    L.tileLayer(container.dataset.tileUrl, {
      attribution: container.dataset.attribution,
      maxZoom: 19,
    }).addTo(map);
    var icon = L.icon({
      iconUrl: container.dataset.icon,
      iconRetinaUrl: container.dataset.icon2x,
      shadowUrl: container.dataset.shadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      shadowSize: [41, 41],
    });
    var points = [];
    data.facilities.forEach(function (facility) {
      var link = document.createElement("a");
      link.href = facility.url;
      link.textContent = facility.name;
      L.marker([facility.lat, facility.lon], { icon: icon, title: facility.name, alt: facility.name })
        .bindPopup(link)
        .addTo(map);
      points.push([facility.lat, facility.lon]);
    });
    if (data.origin) {
      L.circleMarker([data.origin.lat, data.origin.lon], { radius: 8, weight: 3, color: "#0b5394" })
        .bindTooltip(data.origin.label)
        .addTo(map);
      points.push([data.origin.lat, data.origin.lon]);
    }
    map.fitBounds(points, { padding: [24, 24], maxZoom: 15 });
  }

  function offerCurrentLocation() {
    var button = document.getElementById("use-my-location");
    if (!button || !navigator.geolocation) {
      return;
    }
    var field = document.getElementById(button.dataset.target);
    var status = document.getElementById("use-my-location-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(
        function (position) {
          // About 100 m: close enough for distances, and the search URL may be shared.
          field.value = position.coords.latitude.toFixed(3) + ", " + position.coords.longitude.toFixed(3);
          status.textContent = "";
          field.focus();
        },
        function () {
          status.textContent = button.dataset.error;
        },
        { timeout: 10000, maximumAge: 600000 }
      );
    });
  }

  offerCurrentLocation();
  drawMap();
})();

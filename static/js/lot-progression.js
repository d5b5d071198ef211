// Progress of a long job (templates/includes/progression.html: a grouped send of requests,
// the invitations of a café): polls the JSON endpoint named by data-progression-url every two
// seconds, moves the bar, and reloads the page once the job is finished so that its outcome
// appears. Without JavaScript the page offers an "Actualiser" link instead.
(function () {
  "use strict";
  const barre = document.querySelector("[data-progression-url]");
  if (!barre) {
    return;
  }
  const rectangle = barre.querySelector("rect");
  const texte = document.getElementById(barre.dataset.progressionTexte);
  const DELAI = 2000;

  async function suivre() {
    try {
      const reponse = await fetch(barre.dataset.progressionUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (reponse.ok) {
        const etat = await reponse.json();
        barre.setAttribute("aria-valuenow", etat.traites);
        barre.setAttribute("aria-valuetext", etat.texte);
        rectangle.setAttribute("width", etat.traites);
        texte.textContent = etat.texte;
        if (etat.termine) {
          window.location.reload();
          return;
        }
      }
    } catch (erreur) {
      // A network hiccup: the next round will tell.
    }
    window.setTimeout(suivre, DELAI);
  }

  window.setTimeout(suivre, DELAI);
})();

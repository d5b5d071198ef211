"""Writes of the Café partenaires, one module per feature (as pretix's ``base/services``).

- ``series``: a series and its rotation of hosts, programming its cafés;
- ``cafes``: a café's details, its circle, cancelling it and holding it after all;
- ``invitations``: inviting (sending in batches), reminders, resuming lost sendings;
- ``rsvp``: what partners do through their links (answer, send a colleague, unsubscribe);
- ``jour``: the day of the café (check-in, walk-ins);
- ``compte_rendu``: the tour de table and the minutes.

Each function is keyword-only and atomic (but the batch senders, which commit batch by batch),
and says in its docstring what the caller can rely on. Views, forms and tasks call these;
emails are written by ``cafes.emails``.
"""

"""Codes and ballots: one-time codes and their batches (codes), QR images and printed
slips (qr, slips), the published ballot rules and the atomic anonymous submission
(ballot_rules; ballots: codes, open links, submitting; ballot_store: a ballot's rows and
their INSERTs; rating_pack), sealing a closed survey (sealing), turnout (turnout) and
simulated ballots for rehearsals and the demo (simulation). Everything that touches a respondent's code or
ballot is here; docs/anonymity.md says why no ballot can be tied to a code.

Imports platform and design.
"""

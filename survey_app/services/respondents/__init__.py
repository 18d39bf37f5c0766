"""Codes and ballots: one-time codes and their batches (codes), QR images and printed
slips (qr, slips), the published ballot rules and the atomic anonymous submission
(ballot_rules, ballots, rating_pack), turnout (turnout) and simulated ballots for
rehearsals and the demo (simulation). Everything that touches a respondent's code or
ballot is here; docs/anonymity.md says why no ballot can be tied to a code.

Imports platform and design.
"""

"""FHIR R4 exchange of referrals as the HL7 SDOH Clinical Care implementation guide describes them.

Not named ``fhir``: that is the namespace of the fhir.resources package.
"""

"""The directory: whitelist enterprises, their contacts, endpoints and subscriptions.

- :mod:`~warning.directory.models`: the tables;
- :mod:`~warning.directory.rows`: directory files read and validated (CSV or XLSX);
- :mod:`~warning.directory.service`: rows into the store and back out;
- :mod:`~warning.directory.credit_code`: the unified social credit code check.
"""

"""engage: a dbt-native engagement warehouse with a reverse-ETL sync to Mailchimp."""

__version__ = "0.1.0"

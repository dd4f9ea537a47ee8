SELECT * FROM gcanalytics_reports.escalation_weekly

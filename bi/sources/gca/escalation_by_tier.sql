SELECT * FROM gcanalytics_reports.escalation_by_tier

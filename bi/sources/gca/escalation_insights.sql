SELECT * FROM gcanalytics_reports.escalation_insights

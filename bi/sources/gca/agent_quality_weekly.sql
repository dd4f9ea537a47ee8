SELECT * FROM gcanalytics_reports.agent_quality_weekly

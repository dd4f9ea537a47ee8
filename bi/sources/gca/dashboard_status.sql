SELECT * FROM gcanalytics_reports.dashboard_status

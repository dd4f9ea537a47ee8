SELECT * FROM gcanalytics_reports.cx_overview

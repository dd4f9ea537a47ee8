SELECT * FROM gcanalytics_reports.join_quality

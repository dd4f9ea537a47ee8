SELECT * FROM gcanalytics_reports.queue_daily

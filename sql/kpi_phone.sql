-- gcanalytics.normalize_phone(): E.164 or NULL.  Expected values by hand.
CREATE SCHEMA kpi_phone;
SET search_path = kpi_phone, public;
\set VERBOSITY terse

CREATE TABLE p (input text, cc text, want text);
INSERT INTO p VALUES
 -- the issue's examples
 ('tel:+1 (555) 123-4567',            '1',  '+15551234567'),
 ('555.123.4567',                     '1',  '+15551234567'),
 ('+44 20 7946 0958',                 '1',  '+442079460958'),
 ('00442079460958',                   '1',  '+442079460958'),
 -- NANP national forms, with the trunk 1, with an extension
 ('(555) 123-4567',                   '1',  '+15551234567'),
 ('1-555-123-4567',                   '1',  '+15551234567'),
 ('555-123-4567 x22',                 '1',  '+15551234567'),
 ('555 123 4567 ext. 9',              '1',  '+15551234567'),
 ('011 44 20 7946 0958',              '1',  '+442079460958'),  -- NANP international prefix
 ('sip:+15551234567@edge.example;user=phone', '1', '+15551234567'),
 ('TEL:+15551234567;ext=5',           '1',  '+15551234567'),
 -- other default countries drop one trunk 0
 ('020 7946 0958',                    '44', '+442079460958'),
 ('+44 (0)20 7946 0958',              '1',  '+442079460958'),
 ('030 123456',                       '+49', '+4930123456'),
 ('+49 30 123456',                    '44', '+4930123456'),
 -- cannot be phone numbers: NULL
 ('',                                 '1',  NULL),
 ('   ',                              '1',  NULL),
 ('12345',                            '1',  NULL),   -- too short for NANP (needs 10)
 ('555-1234',                         '1',  NULL),   -- 7 digits, no area code
 ('1-800-FLOWERS',                    '1',  NULL),   -- letters
 ('+1 055 123 4567',                  '1',  NULL),   -- NANP area code cannot start with 0
 ('+1 555 123 456',                   '1',  NULL),   -- +1 with 9 digits
 ('+0 123 4567 890',                  '1',  NULL),   -- no country code 0
 ('+44 1234 5678 9012 345',           '1',  NULL),   -- 17 digits > 15
 ('++15551234567',                    '1',  NULL),
 ('5551234567+',                      '1',  NULL),
 ('anonymous',                        '1',  NULL),
 ('tel:',                             '1',  NULL),
 (U&'555\00A0123 4567',              '1',  NULL);   -- a no-break space is not a separator we allow

SELECT input, cc, want, gcanalytics.normalize_phone(input, cc) AS got,
       gcanalytics.normalize_phone(input, cc) IS NOT DISTINCT FROM want AS ok
  FROM p ORDER BY ok, input;
-- default country code is 1
SELECT gcanalytics.normalize_phone('555.123.4567') AS default_nanp;
-- NULL in, NULL out
SELECT gcanalytics.normalize_phone(NULL) IS NULL AS a, gcanalytics.normalize_phone('5551234567', NULL) IS NULL AS b;
-- a very long input is not a phone number
SELECT gcanalytics.normalize_phone(repeat('5', 100000)) IS NULL AS long_input;
-- joining ANI to CRM phones written differently
SELECT count(*) AS matches
  FROM (VALUES ('tel:+15551234567'), ('tel:+442079460958')) ani(a)
  JOIN (VALUES ('(555) 123-4567'), ('+44 (0)20 7946 0958'), ('555-999-0000')) crm(c)
    ON gcanalytics.normalize_phone(a) = gcanalytics.normalize_phone(c);   -- 2

-- a bad default country code is an error
\set VERBOSITY default
SELECT gcanalytics.normalize_phone('5551234567', 'US');
SELECT gcanalytics.normalize_phone('5551234567', '1234');
\set VERBOSITY terse

RESET search_path;
DROP SCHEMA kpi_phone CASCADE;
